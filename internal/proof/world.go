package proof

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/store"
)

// The escalation world: two clients and four sites, the built-in profiles
// plus three that carry more than they seem, one actor per built-in profile
// (and one holding an edited, all-sites copy of Manager), and targets in and
// out of the actors' sites and above their level.
const (
	SiteIn      = "North Depot" // every scoped actor's site (Acme)
	SiteInToo   = "South Yard"  // Acme, held by nobody
	SiteOut     = "Zeta HQ"     // Zeta: out of every scoped actor's reach
	SiteOwn     = "Head Office" // the business's own
	TeamIn      = "North Depot/Day"
	TeamOut     = "Zeta HQ/Night"
	TeamOutName = "Gate" // a team of Zeta HQ, unique by name

	ProfileAllSites = "Manager (all sites)" // Manager's levels, every site
	ProfileSupPay   = "Supervisor+payroll"  // looks like a Supervisor, views payroll
	ProfileClientP  = "Client+"             // client type, roster and scheduler view
	ProfileSpare    = "Spare"               // unused, deletable
	ProfileUnusedUp = "Unused+payroll"      // unused, deletable, views payroll: above every actor but the administrator
	ProfileSiteLead = "Site lead"           // Manager who also maintains Sites & teams: scoped, so only their own
)

// Actors: one per built-in profile, and HR holding the all-sites Manager copy.
var Actors = []struct{ Email, Profile string }{
	{"admin@example.com", "Administrator"},
	{"manager@example.com", "Manager"},
	{"supervisor@example.com", "Supervisor"},
	{"user@example.com", "User"},
	{"basic@example.com", "Basic"},
	{"client@acme.example", "Client"},
	{"hr@example.com", ProfileAllSites},
	{"sitelead@example.com", ProfileSiteLead},
}

// Targets.
const (
	TIn        = "in@example.com"       // User at North Depot (client Acme)
	TOut       = "out@example.com"      // User at Zeta HQ (client Acme)
	TOutTeam   = "outteam@example.com"  // User in team Zeta HQ/Night
	TMixed     = "mixed@example.com"    // User at North Depot and Zeta HQ
	TAbove     = "above@example.com"    // Supervisor+payroll at North Depot
	TAboveAll  = "aboveall@example.com" // Manager (all sites) at North Depot
	TAdmin2    = "admin2@example.com"   // Administrator, no sites
	TNoSite    = "nosite@example.com"   // Basic, no sites
	TInOff     = "in-off@example.com"   // disabled copies of in, out, above
	TOutOff    = "out-off@example.com"
	TAboveOff  = "above-off@example.com"
	TInClient  = "inclient@acme.example"  // Client user of Acme at North Depot
	TOutClient = "outclient@zeta.example" // Client user of Zeta at Zeta HQ
	TZetaBare  = "bare@zeta.example"      // Client user of Zeta without sites: in every scoped actor's sight
)

// Signer is the deterministic SSH key of a fixture user.
func Signer(email string) gossh.Signer {
	seed := sha256.Sum256([]byte("gatehouse proof key " + email))
	s, err := gossh.NewSignerFromKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		panic(err)
	}
	return s
}

// AuthorizedKey is the authorized_keys line of a fixture user's key.
func AuthorizedKey(email string) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(Signer(email).PublicKey())))
}

// Fingerprint of a fixture user's key.
func Fingerprint(email string) string { return gossh.FingerprintSHA256(Signer(email).PublicKey()) }

// World is the escalation world built once: a pristine database file, copied
// afresh whenever a case changed it.
type World struct {
	Pristine string
	Dir      string
	Batches  map[string]uint64 // named fixture change sets (undo cases)
	Dump     []byte            // an export of the pristine world (JSON import cases)
	n        int
}

// BuildWorld writes the pristine escalation world into dir.
func BuildWorld(dir string) (*World, error) {
	w := &World{Pristine: filepath.Join(dir, "pristine.db"), Dir: dir, Batches: map[string]uint64{}}
	s, err := store.Open(w.Pristine, store.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	local := store.LocalActor("proof")
	_, err = s.Apply(local, "escalation world: places and profiles", func(tx *store.Tx) error {
		for _, c := range []string{"Acme", "Zeta"} {
			if _, err := tx.AddClient(c); err != nil {
				return err
			}
		}
		for _, st := range [][2]string{{SiteIn, "Acme"}, {SiteInToo, "Acme"}, {SiteOut, "Zeta"}, {SiteOwn, ""}} {
			if _, err := tx.AddSite(st[0], st[1]); err != nil {
				return err
			}
		}
		for _, tm := range [][2]string{{"Day", SiteIn}, {"Night", SiteOut}, {TeamOutName, SiteOut}} {
			if _, err := tx.AddTeam(tm[0], tm[1]); err != nil {
				return err
			}
		}
		if _, err := tx.CreateProfile(ProfileAllSites, store.Employee, "Manager"); err != nil {
			return err
		}
		if err := tx.SetProfileScope(ProfileAllSites, store.ScopeAll); err != nil {
			return err
		}
		if _, err := tx.CreateProfile(ProfileSupPay, store.Employee, "Supervisor"); err != nil {
			return err
		}
		if err := tx.Grant(ProfileSupPay, 0, "payroll", store.View); err != nil {
			return err
		}
		if _, err := tx.CreateProfile(ProfileClientP, store.ClientUser, "Client"); err != nil {
			return err
		}
		if err := tx.Grant(ProfileClientP, 0, "scheduler", store.View); err != nil {
			return err
		}
		if _, err := tx.CreateProfile(ProfileSpare, store.Employee, ""); err != nil {
			return err
		}
		if _, err := tx.CreateProfile(ProfileUnusedUp, store.Employee, "Basic"); err != nil {
			return err
		}
		if _, err := tx.CreateProfile(ProfileSiteLead, store.Employee, "Manager"); err != nil {
			return err
		}
		if err := tx.Grant(ProfileSiteLead, 0, "sites", store.Maintain); err != nil {
			return err
		}
		return tx.Grant(ProfileUnusedUp, 0, "payroll", store.View)
	})
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	emp := func(email, profile string, sites, teams []string) store.NewUser {
		local, _, _ := strings.Cut(email, "@")
		return store.NewUser{First: "T", Last: local, Email: email, Type: store.Employee, Profile: profile, Sites: sites, Teams: teams}
	}
	in := []string{SiteIn}
	people := []store.NewUser{
		emp(Actors[0].Email, "Administrator", nil, nil),
		emp(Actors[1].Email, "Manager", in, nil),
		emp(Actors[2].Email, "Supervisor", in, nil),
		emp(Actors[3].Email, "User", in, nil),
		emp(Actors[4].Email, "Basic", nil, []string{TeamIn}),
		{First: "Cal", Last: "Client", Email: Actors[5].Email, Type: store.ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: in},
		emp(Actors[6].Email, ProfileAllSites, nil, nil),
		emp(Actors[7].Email, ProfileSiteLead, in, nil),
		emp(TIn, "User", in, nil),
		emp(TOut, "User", []string{SiteOut}, nil),
		emp(TOutTeam, "User", nil, []string{TeamOut}),
		emp(TMixed, "User", []string{SiteIn, SiteOut}, nil),
		emp(TAbove, ProfileSupPay, in, nil),
		emp(TAboveAll, ProfileAllSites, in, nil),
		emp(TAdmin2, "Administrator", nil, nil),
		emp(TNoSite, "Basic", nil, nil),
		emp(TInOff, "User", in, nil),
		emp(TOutOff, "User", []string{SiteOut}, nil),
		emp(TAboveOff, ProfileSupPay, in, nil),
		{First: "In", Last: "Client", Email: TInClient, Type: store.ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: in},
		{First: "Out", Last: "Client", Email: TOutClient, Type: store.ClientUser, Profile: "Client", Clients: []string{"Zeta"}, Sites: []string{SiteOut}},
		{First: "Bare", Last: "Contact", Email: TZetaBare, Type: store.ClientUser, Profile: "Client", Clients: []string{"Zeta"}},
	}
	withKey := map[string]bool{TIn: true, TOut: true, TAbove: true, TAdmin2: true}
	for _, a := range Actors {
		withKey[a.Email] = true
	}
	_, err = s.Apply(local, "escalation world: people", func(tx *store.Tx) error {
		for _, n := range people {
			if n.Type == store.Employee && strings.HasPrefix(n.Profile, "User") || n.Email == TAbove || n.Email == TAboveOff {
				n.Clients = []string{"Acme"}
			}
			u, err := tx.AddUser(n)
			if err != nil {
				return fmt.Errorf("%s: %w", n.Email, err)
			}
			if withKey[n.Email] {
				if _, err := tx.AddKey(u.ID, AuthorizedKey(n.Email)); err != nil {
					return err
				}
			}
			if strings.Contains(n.Email, "-off@") {
				if err := tx.SetDisabled(u.ID, 0, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	// one change set per target kind, for the undo cases
	for name, email := range map[string]string{"undo-in": TIn, "undo-out": TOut, "undo-above": TAbove} {
		cs, err := s.Apply(local, name, func(tx *store.Tx) error {
			u, err := tx.UserByEmail(email)
			if err != nil {
				return err
			}
			_, err = tx.EditUser(u.ID, 0, store.UserPatch{First: ptr("Undoable")})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		w.Batches[name] = cs.Batch
	}
	d, err := s.Export()
	if err != nil {
		return nil, err
	}
	w.Dump, err = dumpJSON(d)
	if err != nil {
		return nil, err
	}
	return w, nil
}

func ptr[T any](v T) *T { return &v }

// Fresh copies the pristine file to a new path in a new folder and opens it.
func (w *World) Fresh() (*store.Store, string, error) {
	w.n++
	dir := filepath.Join(w.Dir, fmt.Sprintf("run%05d", w.n))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, "gatehouse.db")
	if err := copyFile(w.Pristine, path); err != nil {
		return nil, "", err
	}
	s, err := store.Open(path, store.Options{NoSync: true})
	return s, dir, err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
