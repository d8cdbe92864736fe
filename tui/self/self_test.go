package self

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// The one screen of a client user (their own access, and the employees
// assigned to their client), at the three sizes.
func TestSelfScreenGolden(t *testing.T) {
	s, c := newClockedStore(t, 60)
	cus, _ := s.Users(store.UserFilter{Profile: "Client"})
	if len(cus) == 0 {
		t.Fatal("no client user in the demo")
	}
	actor, err := s.ActorFor(cus[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newClockedApp(t, s, c, &actor, sz.w, sz.h)
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("self_%dx%d", sz.w, sz.h), v)
		})
	}
}
