package store

import "testing"

// One place decides what an actor may do: a table of the fixture's actors
// against every action.
func TestCapabilities(t *testing.T) {
	f := newFixture(t)
	withHR(f)
	y, n := true, false
	for _, c := range []struct {
		actor string
		want  [numActions]bool
		self  bool
		ro    bool
	}{
		{emAdmin, [numActions]bool{y, y, y, y, y, y, y, y, y, y, y, y, y, y, y}, n, n},
		// Manager: maintain users, view clients and sites; nothing shared
		{emManager, [numActions]bool{ReadUsers: y, EditUsers: y, ReadProfiles: y, ReadClients: y, ReadSites: y}, n, n},
		// HR: Manager's levels on all sites: profiles and the outbox too
		{"hr@example.com", [numActions]bool{ReadUsers: y, EditUsers: y, ReadProfiles: y, EditProfiles: y, ReadClients: y, ReadSites: y, ReadOutbox: y}, n, n},
		{emSupervisor, [numActions]bool{}, y, y},
		{emBasic, [numActions]bool{}, y, y},
		{emClient, [numActions]bool{}, y, y},
	} {
		caps := f.s.Capabilities(f.actor(c.actor))
		for act := Action(0); act < numActions; act++ {
			if got := caps.May(act) == nil; got != c.want[act] {
				t.Errorf("%s may %d: %v, want %v (%v)", c.actor, act, got, c.want[act], caps.May(act))
			}
		}
		if caps.SelfServiceOnly() != c.self || caps.ReadOnly() != c.ro {
			t.Errorf("%s: self-service %v read-only %v, want %v %v", c.actor, caps.SelfServiceOnly(), caps.ReadOnly(), c.self, c.ro)
		}
	}
	local := f.s.Capabilities(f.local)
	for act := Action(0); act < numActions; act++ {
		if local.May(act) != nil {
			t.Errorf("the operator may not %d", act)
		}
	}
	// a disabled actor may do nothing, and is told why
	f.apply("off", func(tx *Tx) error { return tx.SetDisabled(f.user(emManager).ID, 0, true) })
	if err := f.s.Capabilities(Actor{UserID: f.user(emManager).ID, Name: emManager}).May(ReadUsers); err == nil {
		t.Error("a disabled manager may read users")
	}
	// which sites: a client user only their client's; a scoped actor only their own
	cl := f.user(emClient)
	var acme, zeta uint64
	for _, st := range f.s.Sites() {
		switch st.Name {
		case "North Depot":
			acme = st.ClientID
		case "Zeta HQ":
			zeta = st.ClientID
		}
	}
	if !MayHoldSite(cl, acme) || MayHoldSite(cl, zeta) || MayHoldSite(cl, 0) || !MayHoldSite(f.user(emBasic), zeta) {
		t.Error("MayHoldSite disagrees with rule 2")
	}
}
