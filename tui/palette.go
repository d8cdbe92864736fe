package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// paletteCommands are what ":" understands, in the order the hint offers them.
var paletteCommands = []struct{ name, help string }{
	{"users", "go to Users"},
	{"sites", "go to Sites & teams"},
	{"permissions", "go to Permissions"},
	{"history", "go to History"},
	{"clients", "go to Clients & sites"},
	{"outbox", "go to Invitations & outbox"},
	{"settings", "go to Settings"},
	{"check", "check EMAIL SCREEN LEVEL [SITE] — may they?"},
	{"who-can", "who-can SCREEN LEVEL [SITE] — everyone who may, and why"},
	{"add", "add what this screen adds (a user, a client, a site, a profile…)"},
	{"review", "write an access review (who has what where, changed when and by whom) to a file"},
	{"save", "save the pending changes of this screen"},
	{"undo", "undo the last change set made here"},
	{"reload", "re-read the database"},
	{"help", "every key"},
	{"quit", "leave"},
}

// commandHint completes what is being typed: the help of the one command it
// names, or the names it could still become.
func commandHint(v string) string {
	word, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(v)), " ")
	var names []string
	for _, c := range paletteCommands {
		if c.name == word {
			return c.help
		}
		if strings.HasPrefix(c.name, word) {
			names = append(names, c.name)
		}
	}
	switch len(names) {
	case 0:
		return "no such command"
	case 1:
		for _, c := range paletteCommands {
			if c.name == names[0] {
				return c.help
			}
		}
	}
	return strings.Join(names, " · ")
}

// runCommand runs one palette line. A unique prefix of a command name is enough.
func (a *App) runCommand(line string) tea.Cmd {
	if line == "" {
		return nil
	}
	fields := splitQuoted(line)
	word := strings.ToLower(fields[0])
	var match string
	for _, c := range paletteCommands {
		if c.name == word {
			match = c.name
			break
		}
		if strings.HasPrefix(c.name, word) {
			if match != "" {
				a.Flash(":"+word+" is ambiguous: "+commandHint(word), true)
				return nil
			}
			match = c.name
		}
	}
	switch match {
	case "users", "sites", "permissions", "history", "clients", "outbox", "settings":
		for i, c := range paletteCommands[:7] {
			if c.name == match {
				a.switchTo(i)
			}
		}
	case "check":
		return a.paletteCheck(fields[1:])
	case "who-can":
		return a.paletteWhoCan(fields[1:])
	case "add":
		// what a on this screen adds, with its rights check and guard
		a.msg = ""
		if cmd, ok := dispatch(tea.KeyPressMsg{Code: 'a', Text: "a"}, ui.Visible(a.current().Bindings(), a.readOnly), a); ok {
			return cmd
		}
		if a.readOnly {
			a.Flash("you may view only", true)
		} else {
			a.Flash("nothing to add on "+a.current().Name()+"; :users then :add adds a user", true)
		}
	case "review":
		return a.reviewForm()
	case "save":
		if sv, ok := a.current().(ui.Saver); ok && a.current().Pending() > 0 {
			return sv.Save()
		}
		a.Flash("nothing to save on this screen", false)
	case "undo":
		if len(a.undoStack) == 0 {
			a.Flash("nothing to undo yet in this session", true)
			return nil
		}
		return a.undo()
	case "reload":
		a.reloadAll()
		a.Flash("reloaded", false)
	case "help":
		a.modal = newHelp(a)
	case "quit":
		return a.quit()
	default:
		a.Flash("no command "+word+"; try: "+commandHint(""), true)
	}
	return nil
}

// paletteCheck answers "check EMAIL SCREEN LEVEL [SITE]" exactly as the CLI does.
func (a *App) paletteCheck(args []string) tea.Cmd {
	if len(args) < 3 {
		a.Flash("check needs EMAIL SCREEN LEVEL [SITE], e.g. check jane@acme.test roster view North Depot", true)
		return nil
	}
	lv, err := store.ParseLevel(args[2])
	if err != nil {
		a.Fail(err)
		return nil
	}
	site := strings.Join(args[3:], " ")
	// the store's answer, as `check` gets it: a user the actor may not see
	// is not there for them, in the very words a missing one gets
	if _, err := a.s.UserFor(a.actor, args[0]); err != nil {
		a.Fail(err)
		return nil
	}
	d := a.s.Check(args[0], args[1], lv, site)
	// a typo is not a denial: say what was not found, and where to look
	switch d.Code {
	case store.CodeUnknownScreen:
		a.Flash(fmt.Sprintf("check: there is no screen %q; the screens are the rows of Permissions (3)", args[1]), true)
	case store.CodeUnknownSite:
		a.Flash(fmt.Sprintf("check: there is no site %q; the sites are on Clients & sites (5)", site), true)
	default:
		a.Flash(d.Reason(), !d.Allowed)
	}
	return nil
}

// splitQuoted splits on spaces, keeping "quoted words" together.
func splitQuoted(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}
