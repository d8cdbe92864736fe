package keys_test

import (
	"encoding/json"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

func TestKeySignInReachesConsole(t *testing.T) {
	f := newFixture(t)
	for _, term := range []string{"xterm-256color", "dumb"} {
		t.Run(term, func(t *testing.T) {
			c := f.keyClient(emAdmin)
			sc := console(t, c, term)
			sc.waitFor("Users")
			sc.waitFor("Ada Admin")
			if term == "xterm-256color" {
				// the console asks the terminal for its background colour
				// by a command of its own: after the first frame, or before
				sc.waitFor("\x1b]11;?")
			}
		})
	}
	if !strings.Contains(f.logs.String(), "session start") || !strings.Contains(f.logs.String(), f.signerFP(emAdmin)) {
		t.Fatalf("the log does not name the session and its key:\n%s", f.logs.String())
	}
	// a console's sign-in is recorded in the background, right after it opens
	eventually(t, "the sign-in recorded", func() bool {
		u, _ := f.st.User(emAdmin)
		return !u.LastSignIn.IsZero() && u.Status() == store.Active
	})
}

func (f *fixture) signerFP(email string) string {
	return gossh.FingerprintSHA256(f.signer[email].PublicKey())
}

func TestPasswordSignInReachesConsole(t *testing.T) {
	f := newFixture(t)
	c := f.passwordClient(emAdmin, pw)
	sc := console(t, c, "dumb")
	sc.waitFor("Users")
	sc.waitFor("Ada Admin")
	// keys move the console: the Sites & teams tab
	sc.in.Write([]byte("2"))
	sc.waitFor("Sites & teams")
}

func TestExecCommands(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)

	out, errOut, code := execute(t, c, "users list --json --status all", "")
	if code != 0 {
		t.Fatalf("users list: exit %d, %s", code, errOut)
	}
	var users []struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal([]byte(out), &users); err != nil || len(users) != 7 {
		t.Fatalf("users list --json: %v, %d users\n%s", err, len(users), out)
	}

	out, _, code = execute(t, c, `check `+emManager+` scheduler maintain --site "North Depot"`, "")
	if code != 0 || !strings.HasPrefix(out, "allowed:") {
		t.Fatalf("check allowed: exit %d, %q", code, out)
	}
	out, _, code = execute(t, c, "check "+emManager+" payroll view", "")
	if code != 1 || !strings.HasPrefix(out, "denied:") {
		t.Fatalf("check denied: exit %d, %q", code, out)
	}
	_, errOut, code = execute(t, c, "users nonsense", "")
	if code != 2 || !strings.HasPrefix(errOut, "gatehouse: ") {
		t.Fatalf("bad usage: exit %d, %q", code, errOut)
	}

	// keys over SSH, from stdin
	newKey := newSigner(t)
	out, errOut, code = execute(t, c, "users add-key "+emBasic+" -", authorized(newKey)+" bob@laptop\n")
	if code != 0 || !strings.Contains(out, gossh.FingerprintSHA256(newKey.PublicKey())) {
		t.Fatalf("add-key over ssh: exit %d, %q %q", code, out, errOut)
	}
	out, _, _ = execute(t, c, "users keys "+emBasic+" --json", "")
	if !strings.Contains(out, "bob@laptop") {
		t.Fatalf("users keys: %s", out)
	}
	// ... and bob signs in with it at once
	bob := f.keyClientWith(newKey)
	out, _, code = execute(t, bob, "effective "+emBasic, "")
	if code != 0 || !strings.Contains(out, "Bob Basic") {
		t.Fatalf("bob's effective: exit %d %q", code, out)
	}

	// ssh -t: a terminal in raw mode sends Enter as \r
	ps, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	ps.Stdin = strings.NewReader("bob's new passphrase\r")
	var psOut strings.Builder
	ps.Stdout = &psOut
	if err := ps.Run("users set-password " + emBasic); err != nil || !strings.Contains(psOut.String(), "password of "+emBasic+" changed") || !strings.HasSuffix(psOut.String(), ")\r\n") {
		t.Fatalf("set-password with a pty: %v %q", err, psOut.String())
	}
	f.passwordClient(emBasic, "bob's new passphrase").Close()

	// the operator's jobs and the local flags are refused over SSH, and so
	// is the completion script generator (its script runs a gatehouse on
	// the client's machine); completion itself answers (the next test)
	for _, line := range []string{"backup /tmp/x.db", "export", "import x.json", "import-users x.csv", "demo", "serve", "--db /tmp/other.db users list", "--as " + emBasic + " users list",
		"completion bash"} {
		_, errOut, code := execute(t, c, line, "")
		if code == 0 || !strings.HasPrefix(errOut, "gatehouse: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q over SSH: exit %d, stderr %q", line, code, errOut)
		}
	}
	if _, err := os.Stat("/tmp/x.db"); err == nil {
		t.Error("backup ran over SSH")
	}
}

func (f *fixture) keyClientWith(s gossh.Signer) *gossh.Client {
	f.t.Helper()
	c, banner, err := f.dial("whoever", gossh.PublicKeys(s))
	if err != nil {
		f.t.Fatalf("key sign-in: %v (banner %q)", err, banner)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

func TestRefusedSignIns(t *testing.T) {
	f := newFixture(t)
	stranger := newSigner(t)
	before := f.srv // keep the fixture's server: the refusals must not stop it
	cases := []struct {
		name string
		user string
		auth []gossh.AuthMethod
	}{
		{"unknown key", "whoever", []gossh.AuthMethod{gossh.PublicKeys(stranger)}},
		{"key offered but not proven (signs with another key)", "whoever", []gossh.AuthMethod{gossh.PublicKeys(failingSigner{pub: f.signer[emAdmin].PublicKey(), real: stranger})}},
		{"key offered but not proven (cannot sign)", "whoever", []gossh.AuthMethod{gossh.PublicKeys(failingSigner{pub: f.signer[emAdmin].PublicKey()})}},
		{"disabled user's key", "whoever", []gossh.AuthMethod{gossh.PublicKeys(f.signer[emGone])}},
		{"wrong password", emAdmin, []gossh.AuthMethod{answers("wrong password!")}},
		{"unknown user", "nobody@example.com", []gossh.AuthMethod{answers(pw)}},
		{"disabled user's password", emGone, []gossh.AuthMethod{answers(pw)}},
		{"user with neither password nor key", emNobody, []gossh.AuthMethod{answers(pw)}},
		{"user with a key but no password", emManager, []gossh.AuthMethod{answers("")}},
		{"no authentication at all", emAdmin, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, banner, err := f.dial(tc.user, tc.auth...)
			if err == nil {
				c.Close()
				t.Fatal("signed in")
			}
			if strings.Contains(tc.name, "password") || tc.name == "unknown user" || strings.Contains(tc.name, "neither") || strings.Contains(tc.name, "disabled") {
				if strings.TrimSpace(banner) != keys.RefusedMessage {
					t.Fatalf("told %q, want the one refusal message", banner)
				}
			}
		})
	}
	if f.srv != before || strings.Contains(f.logs.String(), "session start") {
		t.Fatalf("a refused client reached a session:\n%s", f.logs.String())
	}
	if n := strings.Count(f.logs.String(), "sign-in refused"); n < 6 {
		t.Fatalf("refusals not logged (%d):\n%s", n, f.logs.String())
	}
	// the server still serves
	out, _, code := execute(t, f.keyClient(emAdmin), "effective "+emAdmin, "")
	if code != 0 || !strings.Contains(out, "Administrator") {
		t.Fatalf("after the refusals: exit %d %q", code, out)
	}
}

// A client that offers a known key it cannot prove, then signs in with a
// password, is the password's user, not the key's (CVE-2024-45337).
func TestOfferedKeyDoesNotDecideIdentity(t *testing.T) {
	f := newFixture(t)
	c, _, err := f.dial(emClient, gossh.PublicKeys(failingSigner{pub: f.signer[emAdmin].PublicKey()}), answers(pw))
	if err != nil {
		t.Fatalf("password sign-in after an unproven key: %v", err)
	}
	defer c.Close()
	_, errOut, code := execute(t, c, "users list", "")
	if code != 1 || !strings.Contains(errOut, emClient+" may run only") {
		t.Fatalf("acted as someone else: exit %d %q", code, errOut)
	}
}

func TestWhatEachUserMayRun(t *testing.T) {
	f := newFixture(t)
	mgr := f.keyClient(emManager)
	cal := f.keyClient(emClient)
	bob := f.passwordClient(emBasic, pw)
	for _, tc := range []struct {
		name   string
		c      *gossh.Client
		line   string
		code   int
		stdout string
		stderr string
	}{
		{"manager lists only their sites' users", mgr, "users list --status all", 0, emBasic, ""},
		{"manager cannot disable a user outside their sites", mgr, "users disable " + emSouth, 2, "", "no user with email"}, // to them: not there
		{"manager cannot disable the admin", mgr, "users disable " + emAdmin, 1, "", "gatehouse: "},
		{"manager may disable inside their sites", mgr, "users disable " + emNobody, 0, "disabled", ""},
		{"manager may not touch shared settings", mgr, "settings set lockout-attempts 9", 1, "", "needs maintain on Settings"},
		{"client user: own effective access", cal, "effective " + emClient, 0, "Client", ""},
		{"client user: own check", cal, "check " + emClient + " roster view --site \"North Depot\"", 0, "allowed:", ""},
		{"client user: own check, denied", cal, "check " + emClient + " payroll view", 1, "denied:", ""},
		{"client user: someone else", cal, "effective " + emAdmin, 1, "", "may look up only themselves"},
		{"client user: no admin commands", cal, "users list", 1, "", emClient + " may run only 'effective"},
		{"client user: no sites list", cal, "sites list", 1, "", "may run only"},
		{"basic employee: no admin commands", bob, "profiles list", 1, "", "may run only"},
		{"basic employee: own effective", bob, "effective " + emBasic, 0, "Basic", ""},
		// completion answers as the actor may see: nothing of a command they may not run
		{"basic employee: no completion of others' commands", bob, "__complete users show " + emBasic[:3], 0, ":4\n", ""},
		{"basic employee: completion of their own", bob, "__completeNoDesc effective " + emBasic[:3], 0, emBasic + "\n:4\n", ""},
		{"manager: completion of their sites' users only", mgr, "__completeNoDesc users show " + emSouth[:3], 0, ":4\n", ""},
		{"client user: help", cal, "help effective", 0, "effective", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := execute(t, tc.c, tc.line, "")
			if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("%q: exit %d (want %d)\nstdout %q\nstderr %q", tc.line, code, tc.code, out, errOut)
			}
			if strings.HasPrefix(tc.name, "basic employee: no completion") && out != ":4\n" {
				t.Fatalf("completion of a command refused to them offers %q", out)
			}
			if strings.HasPrefix(tc.name, "manager") && strings.Contains(out, emSouth) {
				t.Fatalf("manager sees a user outside their sites:\n%s", out)
			}
		})
	}
}

func TestDisabledUserSessionsEnd(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emManager)
	sc := console(t, c, "dumb")
	sc.waitFor("Max Manager")
	// a second, long-running exec session of the same user
	long, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	longDone := make(chan error, 1)
	stdin, _ := long.StdinPipe()
	go func() { longDone <- long.Run("users add-key " + emManager + " -") }() // waits on stdin
	// the server logs a session's start once it is registered (and so
	// will be ended): wait for that, not for some time
	f.waitLog(`command="users add-key ` + emManager + ` -"`)

	admin := f.keyClient(emAdmin)
	start := time.Now()
	if _, errOut, code := execute(t, admin, "users disable "+emManager, ""); code != 0 {
		t.Fatalf("disable: %d %s", code, errOut)
	}
	// the disable's change event is all that ends it: nothing polls, so
	// without the event it would never end (how soon is no test's to say)
	took, _ := sc.waitEnd()
	t.Logf("the console ended %s after the disable was asked for (%s after the command)", time.Since(start), took)
	if !strings.Contains(sc.text(), "your account was disabled") {
		t.Fatalf("not told why:\n%q", tail(sc.text(), 500))
	}
	select {
	case <-longDone:
	case <-time.After(patience):
		t.Fatal("the exec session of the disabled user is still open")
	}
	stdin.Close()
	// and they cannot come back
	if c, _, err := f.dial("x", gossh.PublicKeys(f.signer[emManager])); err == nil {
		c.Close()
		t.Fatal("a disabled user signed in again")
	}
}

func TestRemovedKeyEndsItsSessions(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emClient)
	sc := console(t, c, "dumb")
	sc.waitFor("Users")
	admin := f.keyClient(emAdmin)
	if _, errOut, code := execute(t, admin, "users remove-key "+emClient+" "+f.signerFP(emClient), ""); code != 0 {
		t.Fatalf("remove-key: %s", errOut)
	}
	sc.waitEnd()
	if !strings.Contains(sc.text(), "key you signed in with was removed") {
		t.Fatalf("not told why:\n%q", tail(sc.text(), 500))
	}
}

// Repeated password failures lock password sign-in, by address and by
// account, before anything is hashed; whoever is locked out is told why and
// until when in one line; a key is never locked out (it cannot be guessed);
// and a name that is no account locks exactly like one that is.
func TestLockout(t *testing.T) {
	var checks *atomic.Int64
	f := newFixture(t, func(s *keys.Server) { checks = keys.CountPasswordChecks(s) })
	if _, err := f.st.Apply(store.LocalActor("test"), "lockout", func(tx *store.Tx) error {
		if err := tx.SetSetting("lockout-attempts", "3"); err != nil {
			return err
		}
		return tx.SetSetting("lockout-window", "10m")
	}); err != nil {
		t.Fatal(err)
	}
	until := f.clock.Now().Add(10 * time.Minute).UTC().Format("15:04:05 UTC")
	addrLocked := func(ip string) string {
		return "gatehouse: password sign-in from your address (" + ip + ") is locked after repeated failures until " + until + " (10m0s from now); sign in with your key, or try again then"
	}
	accountLocked := func(email string) string {
		return "gatehouse: password sign-in for " + email + " is locked after repeated failures until " + until + " (10m0s from now); sign in with your key, or try again then"
	}
	const ghost = "ghost@example.com" // no such account
	type step struct {
		name   string
		ip     string
		user   string
		auth   gossh.AuthMethod
		ok     bool
		banner string // the whole banner, one line; "" for none
		hashed bool   // whether this attempt may run argon2
	}
	wrong := answers("wrong password!")
	steps := []step{
		{"1st failure", "127.0.0.1", emAdmin, wrong, false, keys.RefusedMessage, true},
		{"2nd failure", "127.0.0.1", emAdmin, wrong, false, keys.RefusedMessage, true},
		{"3rd failure locks, and says so", "127.0.0.1", emAdmin, wrong, false, addrLocked("127.0.0.1"), true},
		{"the right password from the locked address", "127.0.0.1", emAdmin, answers(pw), false, addrLocked("127.0.0.1"), false},
		{"another account's password from the locked address", "127.0.0.1", emClient, answers(pw), false, addrLocked("127.0.0.1"), false},
		{"another account's key from the locked address", "127.0.0.1", "x", gossh.PublicKeys(f.signer[emClient]), true, "", false},
		{"the locked account's key from the locked address", "127.0.0.1", emAdmin, gossh.PublicKeys(f.signer[emAdmin]), true, "", false},
		{"the locked account's password from another address", "127.0.0.2", emAdmin, answers(pw), false, accountLocked(emAdmin), false},
		{"the locked account in other case and spaces", "127.0.0.2", " ADMIN@example.com", answers(pw), false, accountLocked(emAdmin), false},
		{"another account from another address", "127.0.0.2", emClient, answers(pw), true, "", true},
		// a stranger probing for accounts: the same answers, step for step
		{"no such account: 1st failure", "127.0.0.4", ghost, wrong, false, keys.RefusedMessage, true},
		{"no such account: 2nd failure", "127.0.0.4", ghost, wrong, false, keys.RefusedMessage, true},
		{"no such account: 3rd failure locks, and says so", "127.0.0.4", ghost, wrong, false, addrLocked("127.0.0.4"), true},
		{"no such account, from another address", "127.0.0.5", ghost, answers(pw), false, accountLocked(ghost), false},
	}
	for _, st := range steps {
		before := checks.Load()
		c, banner, err := f.dialFrom(st.ip, st.user, st.auth)
		if err == nil {
			c.Close()
		}
		if (err == nil) != st.ok {
			t.Fatalf("%s: signed in %v, want %v (%v, banner %q)", st.name, err == nil, st.ok, err, banner)
		}
		if st.banner != "" && (banner != st.banner+"\n") {
			t.Fatalf("%s: told %q\nwant   %q", st.name, banner, st.banner+"\n")
		}
		if hashed := checks.Load() > before; hashed && !st.hashed {
			t.Fatalf("%s: a locked attempt ran argon2", st.name)
		}
	}
	if !strings.Contains(f.logs.String(), "locked after repeated failures") {
		t.Fatalf("lockout not logged:\n%s", f.logs.String())
	}
	f.clock.Advance(11 * time.Minute)
	if c, banner, err := f.dial(emAdmin, answers(pw)); err != nil {
		t.Fatalf("after the window: refused (%q)", banner)
	} else {
		c.Close()
	}
}

func TestPanicsDoNotStopTheServer(t *testing.T) {
	var armed atomic.Value
	armed.Store("")
	f := newFixture(t, func(s *keys.Server) {
		keys.SetPanicHook(s, func(where string) {
			if armed.Load().(string) == where {
				armed.Store("")
				panic("forced panic in " + where)
			}
		})
	})
	for _, where := range []string{"keyboard-interactive", "publickey", "verified-key", "connection"} {
		armed.Store(where)
		auth := gossh.PublicKeys(f.signer[emAdmin])
		if where == "keyboard-interactive" {
			auth = answers(pw)
		}
		if c, _, err := f.dial(emAdmin, auth); err == nil {
			c.Close()
			t.Fatalf("signed in through a panic in %s", where)
		}
		if !strings.Contains(f.logs.String(), "forced panic in "+where) {
			t.Fatalf("panic in %s not logged:\n%s", where, f.logs.String())
		}
	}
	for _, where := range []string{"session", "command"} {
		armed.Store(where)
		c := f.keyClient(emAdmin)
		_, errOut, code := execute(t, c, "effective "+emAdmin, "")
		if code != 1 || !strings.Contains(errOut, "internal error") {
			t.Fatalf("panic in %s: exit %d %q", where, code, errOut)
		}
	}
	// a panic while filtering a session's request refuses that request:
	// the session and the connection go on
	armed.Store("request")
	c := f.keyClient(emAdmin)
	if s, err := c.NewSession(); err != nil {
		t.Fatal(err)
	} else if err := s.Start("effective " + emAdmin); err == nil {
		t.Fatal("an exec request went through a panic")
	}
	if !strings.Contains(f.logs.String(), "forced panic in request") {
		t.Fatalf("panic in request not logged:\n%s", f.logs.String())
	}
	if out, _, code := execute(t, c, "effective "+emAdmin, ""); code != 0 || !strings.Contains(out, "Administrator") {
		t.Fatalf("the connection after a panic in a request: exit %d %q", code, out)
	}
	// the next client is served as usual
	out, _, code := execute(t, f.keyClient(emAdmin), "effective "+emAdmin, "")
	if code != 0 || !strings.Contains(out, "Administrator") {
		t.Fatalf("after the panics: exit %d %q", code, out)
	}
	sc := console(t, f.passwordClient(emAdmin, pw), "dumb")
	sc.waitFor("Users")
}

func TestInvitation(t *testing.T) {
	f := newFixture(t)
	cs, err := f.st.Apply(store.LocalActor("test"), "invite", func(tx *store.Tx) error {
		_, err := tx.AddUser(store.NewUser{First: "Nina", Last: "New", Email: "nina@example.com", Type: store.Employee, Profile: "Basic", Sites: []string{"North Depot"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	token := cs.Tokens[0]
	const newPW = "a brand fresh passphrase"
	key := newSigner(t)

	// wrong token, then a mistyped password pair, then the real thing
	if c, banner, err := f.dial(keys.InviteUser, answers("not-the-token")); err == nil {
		c.Close()
		t.Fatal("a wrong token was accepted")
	} else if !strings.Contains(banner, "invitation token is not valid") {
		t.Fatalf("wrong token told %q", banner)
	}
	// a password the policy refuses is refused before "Again:" is asked:
	// each prompt comes alone, and the next note says why
	var asked []string
	record := gossh.KeyboardInteractive(func(name, instruction string, questions []string, echos []bool) ([]string, error) {
		replies := map[string][]string{
			"Invitation token: ": {token},
			"New password: ":     {"short", "nina new passw0rd", newPW, newPW},
			"Again: ":            {"typo", newPW},
		}
		out := make([]string, len(questions))
		for i, q := range questions {
			n := 0
			for _, a := range asked {
				if strings.HasSuffix(a, "|"+q) {
					n++
				}
			}
			asked = append(asked, instruction+"|"+q)
			out[i] = replies[q][n]
		}
		return out, nil
	})
	if c, banner, err := f.dial(keys.InviteUser, gossh.PublicKeys(key), record); err == nil || !strings.Contains(banner, "no password was set; your invitation is still open") {
		if c != nil {
			c.Close()
		}
		t.Fatalf("three refused passwords: %v (%q)", err, banner)
	}
	want := []string{
		"Enter the token from your invitation.|Invitation token: ",
		"Welcome, Nina New. Choose a password: at least 10 characters and hard to guess (a passphrase of unrelated words).|New password: ",
		"The password must have at least 10 characters (it has 5). Try again.|New password: ",
		"The password may not contain the user's email name; choose another.|New password: ",
		"Type the same password again.|Again: ",
	}
	if strings.Join(asked, "\n") != strings.Join(want, "\n") {
		t.Fatalf("prompts:\n%s\nwant:\n%s", strings.Join(asked, "\n"), strings.Join(want, "\n"))
	}
	c, banner, err := f.dial(keys.InviteUser, gossh.PublicKeys(key), answers(token, newPW, "typo", newPW, newPW))
	if err != nil {
		t.Fatalf("accepting the invitation: %v (%q)", err, banner)
	}
	out, _, code := execute(t, c, "", "")
	c.Close()
	if code != 0 || !strings.Contains(out, "invitation is accepted") || !strings.Contains(out, gossh.FingerprintSHA256(key.PublicKey())+" is enrolled") {
		t.Fatalf("invitation session: exit %d %q", code, out)
	}
	u, _ := f.st.User("nina@example.com")
	if u.Status() != store.Active {
		t.Fatalf("nina is %s", u.Status())
	}
	// she signs in with the key she came with, and with her password
	out, _, code = execute(t, f.keyClientWith(key), "effective nina@example.com", "")
	if code != 0 || !strings.Contains(out, "Nina New") {
		t.Fatalf("nina by key: %d %q", code, out)
	}
	f.passwordClient("nina@example.com", newPW).Close()

	// the token is used now: refused with the same message as a wrong one
	if c, banner, err := f.dial(keys.InviteUser, answers(token, newPW, newPW)); err == nil {
		c.Close()
		t.Fatal("a used token was accepted")
	} else if !strings.Contains(banner, "invitation token is not valid") {
		t.Fatalf("used token told %q", banner)
	}

	// an invitation without a key
	cs, _ = f.st.Apply(store.LocalActor("test"), "invite", func(tx *store.Tx) error {
		_, err := tx.AddUser(store.NewUser{First: "Otto", Last: "Other", Email: "otto@example.com", Type: store.Employee, Profile: "Basic"})
		return err
	})
	c, banner, err = f.dial(keys.InviteUser, answers(cs.Tokens[0], newPW, newPW))
	if err != nil {
		t.Fatalf("invitation without a key: %v %q", err, banner)
	}
	out, _, _ = execute(t, c, "", "")
	c.Close()
	if !strings.Contains(out, "invitation is accepted") || strings.Contains(out, "enrolled") {
		t.Fatalf("keyless invitation said %q", out)
	}
}

// An idle console does not hold the shutdown for its grace period: with a
// grace of an hour, the server stops within the fixture's patience.
func TestGracefulShutdown(t *testing.T) {
	f := newFixture(t, func(s *keys.Server) { keys.SetShutdownGrace(s, time.Hour) })
	sc := console(t, f.keyClient(emAdmin), "dumb")
	sc.waitFor("Users")
	start := time.Now()
	if err := f.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	t.Logf("shutdown with one idle console took %s", time.Since(start))
	sc.waitEnd()
	if !strings.Contains(sc.text(), "the server is shutting down") {
		t.Fatalf("the console was not told:\n%q", tail(sc.text(), 500))
	}
	if _, _, err := f.dial(emAdmin, answers(pw)); err == nil {
		t.Fatal("still accepting connections")
	}
}

func TestHostKey(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/db.hostkey"
	s1, created, err := keys.LoadOrCreateHostKey(path)
	if err != nil || !created {
		t.Fatalf("first: %v %v", created, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 || s1.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("host key mode %v type %s", fi.Mode().Perm(), s1.PublicKey().Type())
	}
	s2, created, err := keys.LoadOrCreateHostKey(path)
	if err != nil || created || gossh.FingerprintSHA256(s1.PublicKey()) != gossh.FingerprintSHA256(s2.PublicKey()) {
		t.Fatalf("second load: created %v, err %v", created, err)
	}
	os.Chmod(path, 0o644)
	if _, _, err := keys.LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable host key: %v", err)
	}
	if _, err := keys.New(keys.Config{HostKeyPath: path}); err == nil {
		t.Fatal("New without a store")
	}
}
