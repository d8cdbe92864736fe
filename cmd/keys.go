package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// addKeyCommands puts the public-key commands under `users`.
func (a *app) addKeyCommands(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() == "users" {
			c.AddCommand(a.usersAddKeyCmd(), a.usersKeysCmd(), a.usersRemoveKeyCmd())
		}
	}
}

// keyView is the JSON form of a public key (users keys --json).
type keyView struct {
	Fingerprint   string    `json:"fingerprint"`
	Type          string    `json:"type"`
	Comment       string    `json:"comment"`
	AuthorizedKey string    `json:"authorized_key"`
	Added         time.Time `json:"added"`
	AddedBy       string    `json:"added_by"`
}

func viewKey(k store.PublicKey) keyView {
	return keyView{Fingerprint: k.Fingerprint, Type: k.Type, Comment: k.Comment, AuthorizedKey: k.AuthorizedKey, Added: k.Added, AddedBy: k.AddedBy}
}

// ---- users add-key

func (a *app) usersAddKeyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "add-key EMAIL KEYFILE|-",
		Short: "Enrol SSH public keys for a user (from a .pub file, or - for stdin)",
		Long: `Enrol SSH public keys so the user can sign in to 'gatehouse serve' with them.
KEYFILE is a public key file (~/.ssh/id_ed25519.pub) or an authorized_keys
file, one key per line; - reads standard input. Keys are stored without their
options, under their SHA256 fingerprint, and belong to one user only.
The first administrator enrols their own key this way, on the server's
machine, before starting the server.`,
		Example: `  gatehouse users add-key admin@example.com ~/.ssh/id_ed25519.pub
  ssh-add -L | gatehouse users add-key sam@example.com -`,
		Args: nargs(2, 2, "EMAIL and a KEYFILE (or - for stdin)"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		lines, err := a.readKeyLines(args[1])
		if err != nil {
			return err
		}
		var email string
		var added []store.PublicKey
		cs, err := s.ApplyGrouped(actor, summary("users add-key", args[0]), func(tx *store.Tx) error {
			added = nil // the change set may be run again (ApplyGrouped)
			u, err := tx.UserByEmail(args[0])
			if err != nil {
				return err
			}
			email = u.Email
			for _, l := range lines {
				k, err := tx.AddKey(u.ID, l.text)
				if err != nil {
					if len(lines) > 1 && store.KindOf(err) == store.KindInput {
						return &store.Error{Kind: store.KindInput, Msg: fmt.Sprintf("%s line %d: %v", l.file, l.n, err)}
					}
					return err
				}
				added = append(added, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fps := make([]string, 0, len(added))
		for _, k := range added {
			d := k.Fingerprint + " (" + k.Type
			if k.Comment != "" {
				d += " " + k.Comment
			}
			fps = append(fps, d+")")
		}
		done := fmt.Sprintf("%s enrolled for %s: %s", plural(len(added), "key", "keys"), email, strings.Join(fps, ", "))
		if len(cs.Entries) == 0 && !a.json {
			a.printf("%s already holds %s\n", email, strings.Join(fps, ", "))
			return nil
		}
		return a.report(cs, done)
	})
	return c
}

type keyLine struct {
	file string
	n    int
	text string
}

// readKeyLines reads the keys of a file (or stdin): non-empty lines that are
// not comments.
func (a *app) readKeyLines(name string) ([]keyLine, error) {
	var data []byte
	var err error
	file := name
	switch {
	case name == "-":
		file = "standard input"
		data, err = io.ReadAll(io.LimitReader(a.env.In, 1<<20))
	case a.env.Actor != nil:
		// over SSH a path names a file on the server, not the user's: reading
		// it would tell which server files exist, and /dev/zero would never end
		return nil, usagef("over SSH give the keys on standard input: ssh HOST users add-key EMAIL - < key.pub (%s would be a file on the server)", name)
	default:
		data, err = a.caller().ReadFile(name, 1<<20)
	}
	if err != nil {
		return nil, usagef("cannot read %s: %v", file, err)
	}
	if strings.Contains(string(data), "PRIVATE KEY") {
		hint := ""
		if name != "-" {
			if ok, _ := a.caller().Exists(name + ".pub"); ok {
				hint = fmt.Sprintf(": %s.pub", name)
			}
		}
		return nil, usagef("%s is a private key; never hand it out, give the public key instead%s", file, hint)
	}
	var out []keyLine
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, keyLine{file: file, n: i + 1, text: l})
	}
	if len(out) == 0 {
		return nil, usagef("%s holds no public key; give a line like 'ssh-ed25519 AAAA… you@laptop' (the .pub file)", file)
	}
	return out, nil
}

// ---- users keys

func (a *app) usersKeysCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "keys EMAIL",
		Short: "List a user's SSH public keys",
		Args:  nargs(1, 1, "one EMAIL"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		u, err := aboutUser(s, actor, args[0])
		if err != nil {
			return err
		}
		ks, err := s.KeysOf(u.ID)
		if err != nil {
			return err
		}
		who := s.ActorNames(actor)
		for i := range ks {
			ks[i].AddedBy = who(ks[i].AddedBy)
		}
		if a.json {
			out := make([]keyView, 0, len(ks))
			for _, k := range ks {
				out = append(out, viewKey(k))
			}
			return a.printJSON(out)
		}
		if len(ks) == 0 {
			a.printf("%s has no keys; enrol one: gatehouse users add-key %s KEYFILE\n", u.Email, u.Email)
			return nil
		}
		tw := newTable(a.env.Out)
		row(tw, "FINGERPRINT", "TYPE", "COMMENT", "ADDED", "BY")
		for _, k := range ks {
			row(tw, k.Fingerprint, k.Type, orDash(k.Comment), when(k.Added), k.AddedBy)
		}
		return tw.Flush()
	})
	return c
}

// ---- users remove-key

func (a *app) usersRemoveKeyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "remove-key EMAIL FINGERPRINT",
		Short:   "Take an SSH public key away from a user (their sessions with it end)",
		Example: `  gatehouse users remove-key sam@example.com SHA256:0ZbU9i2Xyq8...`,
		Args:    nargs(2, 2, "EMAIL and a FINGERPRINT (see: gatehouse users keys EMAIL)"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var email string
		cs, err := s.ApplyGrouped(actor, summary("users remove-key", args[0], args[1]), func(tx *store.Tx) error {
			u, err := tx.UserByEmail(args[0])
			if err != nil {
				return err
			}
			email = u.Email
			return tx.RemoveKey(u.ID, args[1])
		})
		if err != nil {
			return err
		}
		return a.report(cs, fmt.Sprintf("removed key %s from %s", args[1], email))
	})
	return c
}
