package cmd_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	shlex "github.com/anmitsu/go-shlex"
)

// The README's tour replays: every command of its "A tour of the command
// line" section runs, in order, on one new database, and what it prints must
// be what the README shows — so the tour cannot drift from the product.
// Times (and the review's time zone, the day a record is retired) and the
// operator's name are the only things allowed to differ.
func TestReadmeTourReplays(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	steps := tourSteps(t, string(readme))
	if len(steps) < 20 {
		t.Fatalf("the tour has %d commands: the section was not found", len(steps))
	}
	g := newGH(t)
	for i, st := range steps {
		args, err := shlex.Split(st.line, true)
		if err != nil || len(args) == 0 || args[0] != "gatehouse" {
			t.Fatalf("step %d: %q is not a gatehouse command line", i+1, st.line)
		}
		r := g.runIn(st.stdin, args[1:]...)
		got := normaliseTour(r.out + r.err)
		if want := normaliseTour(st.want); got != want {
			t.Errorf("README tour, step %d: $ %s\n--- the README shows:\n%s\n--- it prints:\n%s", i+1, st.line, want, got)
		}
	}
}

type tourStep struct {
	line, stdin, want string
}

// tourSteps reads the console blocks of the tour: "$ gatehouse …" lines and
// what follows each until the next one; "$ printf 'x\n' | gatehouse …" feeds x.
func tourSteps(t *testing.T, readme string) []tourStep {
	start := strings.Index(readme, "## A tour of the command line")
	if start < 0 {
		t.Fatal("README has no tour")
	}
	var steps []tourStep
	inBlock, fenced := false, false
	for _, line := range strings.Split(readme[start:], "\n")[1:] {
		switch {
		case strings.HasPrefix(line, "```"):
			fenced = !fenced
			inBlock = fenced && strings.HasPrefix(line, "```console")
			continue
		case !fenced && strings.HasPrefix(line, "## "): // the next section (a review's "## Name" is inside a block)
			return steps
		case !inBlock:
			continue
		}
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			st := tourStep{line: cmd}
			if m := printfPipe.FindStringSubmatch(cmd); m != nil {
				st.stdin, st.line = strings.ReplaceAll(m[1], `\n`, "\n"), m[2]
			}
			steps = append(steps, st)
			continue
		}
		if len(steps) > 0 {
			steps[len(steps)-1].want += line + "\n"
		}
	}
	return steps
}

var (
	printfPipe  = regexp.MustCompile(`^printf '([^']*)' \| (gatehouse .*)$`)
	tourTime    = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?`)
	tourRetired = regexp.MustCompile(`(retired +\(empty\) -> )\d{4}-\d{2}-\d{2}`)
	tourZone    = regexp.MustCompile(`(?m)^\| Times \| .* \|$`)
	tourOp      = regexp.MustCompile(`local:[a-z0-9_-]+`)
	tourExpiry  = regexp.MustCompile(`expires \d{4}-\d{2}-\d{2}`)
)

func normaliseTour(s string) string {
	s = tourTime.ReplaceAllString(s, "TIME")
	s = tourZone.ReplaceAllString(s, "| Times | ZONE |")
	s = tourRetired.ReplaceAllString(s, "${1}DATE")
	s = tourOp.ReplaceAllString(s, "local:OPERATOR")
	s = tourExpiry.ReplaceAllString(s, "expires DATE")
	return strings.TrimRight(s, "\n") + "\n"
}
