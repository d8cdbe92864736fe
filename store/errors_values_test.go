package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Errors as values: the fix is data, the line names no command.
func TestErrorsCarryTheirFixAsData(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.Apply(f.local, "client payroll", func(tx *Tx) error { return tx.Grant("Client", 0, "payroll", View) })
	e, ok := StoreError(err)
	if !ok || e.Kind != KindRefused || e.Fix != (Fix{Do: FixSetting, Setting: "client-guardrail", Value: "off"}) || e.Subject.Kind != RecordProfile {
		t.Fatalf("guardrail refusal: %#v", e)
	}
	_, err = f.s.Apply(f.local, "typo", func(tx *Tx) error {
		_, err := tx.EditUser(f.user(emBasic).ID, 0, UserPatch{Profile: ptr("Usr")})
		return err
	})
	if e, ok := StoreError(err); !ok || e.Kind != KindNotFound || e.Fix.Do != FixList || e.Fix.Kind != RecordProfile || len(e.Near) == 0 || e.Near[0] != "User" {
		t.Fatalf("a profile typo: %#v", e)
	}
	if got, want := err.Error(), `no profile named "Usr"; did you mean User?`; got != want {
		t.Fatalf("the line is %q, want %q", got, want)
	}
	// a suggestion never tells what the actor could not list
	_, err = f.s.Apply(f.actor(emBasic), "typo", func(tx *Tx) error { return tx.AssignSites(f.user(emBasic).ID, 0, []string{"Nrth Depot"}, nil, true) })
	if e, _ := StoreError(f.s.NearFor(f.actor(emBasic), err)); e == nil || len(e.Near) != 0 {
		t.Fatalf("a Basic user is told of sites: %v", err)
	}
	for name, near := range map[string][]string{
		"nrth depot": {"North Depot"}, "north": {"North Depot"}, "zeta": {"Zeta HQ"}, "xyz": nil, "sout yrd": {"South Yard"},
	} {
		_, err := f.s.Apply(f.local, "typo", func(tx *Tx) error { return tx.AssignSites(f.user(emBasic).ID, 0, []string{name}, nil, true) })
		e, _ := StoreError(err)
		if e == nil || strings.Join(e.Near, ",") != strings.Join(near, ",") {
			t.Errorf("site %q: near %v, want %v (%v)", name, e.Near, near, err)
		}
	}
}

// The store names no command: no message it writes tells people to run
// "gatehouse …" (each front end says what does it, from the error's Fix).
func TestStoreNamesNoCommand(t *testing.T) {
	command := regexp.MustCompile(`gatehouse (users|profiles|sites|clients|teams|screens|settings|audit|outbox|backup|export|import|demo|undo|serve|check|effective)\b`)
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && command.MatchString(s) {
				t.Errorf("%s: %q names a command", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}
