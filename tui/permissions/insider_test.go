package permissions

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// The security issue's first finding through the console: HR (Manager's
// levels on every site) may not lower the Administrator profile from the
// Permissions matrix; the store's refusal is in the preview, ctrl+s saves
// nothing, and the edit stays pending for them to discard.
func TestMatrixNothingAboveTheActorCanBeLowered(t *testing.T) {
	s := newTestStore(t, 20)
	basic, _ := s.Users(store.UserFilter{Profile: "Basic"})
	hr := basic[0]
	if _, err := s.Apply(store.LocalActor("test"), "HR", func(tx *store.Tx) error {
		if _, err := tx.CreateProfile("HR", store.Employee, "Manager"); err != nil {
			return err
		}
		if err := tx.SetProfileScope("HR", store.ScopeAll); err != nil {
			return err
		}
		name := "HR"
		_, err := tx.EditUser(hr.ID, 0, store.UserPatch{Profile: &name})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	actor, err := s.ActorFor(hr.Email)
	if err != nil {
		t.Fatal(err)
	}
	app, m := matrixApp(t, s, &actor, 120, 40)
	matrixShow(t, app, "Administrator")
	matrixGoto(t, app, "payroll", "Administrator")
	press(app, "n")
	if m.Pending() != 1 {
		t.Fatalf("%d pending: %s", m.Pending(), app.Message())
	}
	pv := m.preview.preview()
	if pv.err == nil || !strings.Contains(pv.err.Error(), "nothing above their own profile") {
		t.Fatalf("preview error: %v", pv.err)
	}
	press(app, "ctrl+s")
	if storedLevel(t, s, "Administrator", "payroll") != store.Maintain {
		t.Fatal("HR lowered the Administrator's payroll from the console")
	}
	if !app.MessageBad() || !strings.Contains(app.Message(), "Administrator") {
		t.Errorf("status line: %q", app.Message())
	}
}
