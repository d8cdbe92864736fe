package users

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
)

// Access that ends by itself shows its date in the details pane: a site
// until a date, a temporary profile and what it falls back to.
func TestDetailsShowWhenAccessEnds(t *testing.T) {
	s := newTestStore(t, 20)
	app := newTestApp(t, s, nil, 200, 60)
	us := usersOf(app).current().u
	until, err := store.ParseUntil(time.Now().AddDate(0, 2, 0).Format("2006-01-02"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	site := s.Sites()[0].Name
	if _, err := s.Apply(store.LocalActor("test"), "temporary", func(tx *store.Tx) error {
		if err := tx.AssignSitesUntil(us.ID, 0, []string{site}, nil, until); err != nil {
			return err
		}
		_, err := tx.EditUser(us.ID, 0, store.UserPatch{Profile: new("Supervisor"), ProfileUntil: until})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	app.Reload()
	v := flat(ansi.Strip(strings.Join(usersOf(app).details.View(52, 0, false), "\n")))
	day := store.UntilText(until)
	if !strings.Contains(v, site+" (until "+day+")") {
		t.Fatalf("the details do not say when %s ends (%s):\n%s", site, day, v)
	}
	if !strings.Contains(v, "Supervisor (until "+day+", then ") {
		t.Fatalf("the details do not say when the profile ends:\n%s", v)
	}
}
