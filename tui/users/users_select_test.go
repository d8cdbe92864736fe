package users

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// Select lists open at the current value and show it marked: the default
// location of a client user offers only their client's sites, the profile
// change starts at the user's profile.
func TestSelectsOpenAtTheCurrentValue(t *testing.T) {
	s := newTestStore(t, 200)
	cus, _ := s.Users(store.UserFilter{Type: new(store.ClientUser)})
	var picked *store.User
	for _, u := range cus {
		if len(u.SiteIDs) > 0 {
			picked = u
			break
		}
	}
	site := s.Names().Site(picked.SiteIDs[0])
	if _, err := s.Apply(store.LocalActor("test"), "default", func(tx *store.Tx) error {
		_, err := tx.EditUser(picked.ID, 0, store.UserPatch{DefaultSite: &site})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "tab") // Filters: show client users
	app.SetFocus(0)
	press(app, "right") // Show: Client users
	app.SetFocus(1)
	for i, r := range usersOf(app).users.rows {
		if r.u.ID == picked.ID {
			usersOf(app).users.list.SetCursor(i)
			break
		}
	}
	cu := usersOf(app).current()
	if cu == nil || cu.u.Type != store.ClientUser || cu.u.DefaultSiteID == 0 {
		t.Fatalf("want a client user with a default site highlighted, have %+v", cu)
	}
	def := usersOf(app).cat.names.Site(cu.u.DefaultSiteID)
	press(app, "e", "enter", "enter", "enter") // to the default location
	v := viewOf(app)
	if !strings.Contains(v, "> "+def+"  ← now") {
		t.Fatalf("the default location does not open at %s, marked:\n%s", def, v)
	}
	byName := map[string]*store.Site{}
	for _, st := range s.Sites() {
		byName[st.Name] = st
	}
	offered := 0
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "Default location") {
			continue
		}
		for _, o := range lines[i+1:] {
			_, opt, ok := strings.Cut(o, "┃ ┃")
			if !ok {
				break
			}
			opt = strings.TrimSuffix(strings.TrimSpace(opt), "┃")
			opt = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(opt), "← now"))
			opt = strings.TrimSpace(strings.TrimPrefix(opt, ">"))
			if st := byName[opt]; st != nil {
				offered++
				if !store.MayHoldSite(cu.u, st.ClientID) {
					t.Fatalf("the client user is offered %s, which they may not hold:\n%s", st.Name, v)
				}
			}
		}
	}
	if offered == 0 {
		t.Fatalf("no site offered as the default location:\n%s", v)
	}
	press(app, "esc")
	press(app, "p")
	v = viewOf(app)
	prof := usersOf(app).cat.names.Profile(cu.u.ProfileID)
	if !strings.Contains(v, "> "+prof+" (client)  ← now") {
		t.Fatalf("the profile change does not open at %s, marked:\n%s", prof, v)
	}
}
