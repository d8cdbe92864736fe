package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/cmd/cmdline"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/keys/attach"
	"github.com/gatehouse/gatehouse/store"
)

// DefaultListen is where serve listens unless told otherwise.
const DefaultListen = "127.0.0.1:23234"

// ServingPath is the file serve writes beside the database while it runs:
// it holds the listen address, so a local command that finds the database
// locked can name the server (see store.Open).
func ServingPath(dbPath string) string { return dbPath + ".serving" }

func (a *app) serveCmd() *cobra.Command {
	var listen, hostKey, smtpURL, from string
	var attempts int
	c := &cobra.Command{
		Use:   "serve [--listen ADDR] [--host-key PATH] [--smtp URL --from ADDR]",
		Short: "Serve the console and the commands to remote users over SSH",
		Long: `Run the SSH server: this process holds the database, and users sign in as
themselves, with exactly their profile's rights. 'ssh -p PORT HOST' opens the
console; 'ssh -p PORT HOST COMMAND...' runs one command and exits with its code.

Users sign in with a public key enrolled with 'gatehouse users add-key' or with
their password (keyboard-interactive). New users accept their invitation with
'ssh -p PORT invite@HOST'. Repeated failures from one address or for one
account lock sign-in for a while (settings lockout-attempts, lockout-window).

The host key (ed25519) is generated on first start, beside the database unless
--host-key says where; its fingerprint is printed at start. While serving, the
local command line and consoles on this machine run in this process, over the
socket beside the database (<db>.sock). Stop with Ctrl-C or SIGTERM: open
sessions are told and closed.

With --smtp the server delivers the outbox (invitations, password notices):
smtp://[USER[:PASSWORD]@]HOST[:PORT] speaks STARTTLS when offered (port 587
by default; a password is never sent unencrypted except to this machine),
smtps:// is TLS from the start (port 465). Without a password in the URL,
$GATEHOUSE_SMTP_PASSWORD is used. A failed attempt is retried after 1s, 2s,
4s… (at most 5 minutes apart); after --smtp-attempts it fails for good.
'gatehouse outbox list' shows each message's state, attempts and last error.
Without --smtp the outbox stays queued for the operator to deliver.

With --etcd URLS (a gatehouse built with -tags etcd) the store is on an etcd
cluster, and several serve nodes may share it, each opening it itself: no
socket, no <db>.serving; --host-key is then needed (the same key on every
node lets clients trust any of them). See README, "Several nodes over etcd".`,
		Example: `  gatehouse users add-key admin@example.com ~/.ssh/id_ed25519.pub
  gatehouse serve --listen 0.0.0.0:23234
  ssh -p 23234 server.example.com users list
  GATEHOUSE_SMTP_PASSWORD=... gatehouse serve --smtp smtp://gatehouse@mail.example.com --from gatehouse@example.com
  gatehouse serve --etcd http://10.0.0.1:2379,http://10.0.0.2:2379,http://10.0.0.3:2379 --host-key /etc/gatehouse/hostkey`,
		Args: nargs(0, 0, ""),
	}
	c.Flags().StringVar(&listen, "listen", DefaultListen, "address to listen on (HOST:PORT; port 0 picks a free one)")
	c.Flags().StringVar(&hostKey, "host-key", "", "host key file, created if missing (default: beside the database, <db>.hostkey)")
	c.Flags().StringVar(&smtpURL, "smtp", "", "deliver the outbox through this SMTP server: smtp://[USER[:PASSWORD]@]HOST[:PORT] or smtps://…")
	c.Flags().StringVar(&from, "from", "", "sender address of the mail (with --smtp)")
	c.Flags().IntVar(&attempts, "smtp-attempts", keys.DefaultMaxAttempts, "attempts per message before it fails for good (with --smtp)")
	c.RunE = func(c *cobra.Command, args []string) error {
		held := a.env.Caller != nil // run by the process holding the database, for another
		if a.env.Store != nil && !held {
			return refusedf("serve runs on the server's machine; it is not available over SSH")
		}
		if a.root.PersistentFlags().Changed("as") {
			return usagef("serve takes no --as: whoever signs in over SSH acts as themselves")
		}
		var mail *keys.SMTP
		switch {
		case smtpURL != "":
			m, err := keys.ParseSMTP(smtpURL, from)
			if err != nil {
				return usagef("%v", err)
			}
			if m.Username != "" && m.Password == "" {
				m.Password = a.getenv("GATEHOUSE_SMTP_PASSWORD")
			}
			if attempts < 1 {
				return usagef("--smtp-attempts must be at least 1")
			}
			m.MaxAttempts = attempts
			mail = m
		case from != "" || c.Flags().Changed("smtp-attempts"):
			return usagef("--from and --smtp-attempts go with --smtp URL")
		}
		s, err := a.store()
		if err != nil {
			return err
		}
		onEtcd := a.onEtcd() && !held
		if onEtcd && hostKey == "" {
			return usagef("serve on etcd needs --host-key FILE: there is no database file to keep it beside (give every node the same key, and clients may trust any of them)")
		}
		if hostKey == "" {
			hostKey = keys.DefaultHostKeyPath(s.Path())
		}
		logger := keys.NewLogger(a.env.Err, log.Options{ReportTimestamp: true, Prefix: "gatehouse"})
		cfg := keys.Config{Store: s, HostKeyPath: hostKey, Command: RemoteCommand(s), Logger: logger, SMTP: mail}
		if a.env.RemoteConsole != nil {
			build := a.env.RemoteConsole
			cfg.Console = func(_ ssh.Session, actor store.Actor) tea.Model {
				_ = s.Refresh() // as a command line (RemoteCommand)
				return build(s, actor)
			}
		}
		// the other gatehouse processes of this machine attach to the
		// database through this process while it holds it (unless it serves
		// for another: the holder it runs in listens already); on etcd
		// nobody holds anything: each process opens the store itself
		if !held && !onEtcd && a.env.Attach != nil && attach.Supported() {
			cfg.Local, cfg.BuildID = LocalCommand(s, a.env), attach.BuildID()
		}
		srv, err := keys.New(cfg)
		if err != nil {
			return refusedf("%v", err)
		}
		addr, err := srv.Listen(listen)
		if err != nil {
			return refusedf("cannot listen on %s: %v", listen, err)
		}
		if cfg.Local != nil {
			var nosock *attach.NoSocketError
			switch err := srv.ListenLocal(attach.Socket(s.Path())); {
			case errors.As(err, &nosock):
				// it serves SSH all the same; the machine's own commands
				// wait for it, as before
				logger.Warn("the commands of this machine cannot attach", "why", nosock.Msg)
			case err != nil:
				return refusedf("%v", err)
			}
		}
		if !onEtcd {
			serving := ServingPath(s.Path())
			if err := os.WriteFile(serving, []byte(addr.String()+"\n"), 0o600); err != nil {
				return fmt.Errorf("cannot write %s: %v", serving, err)
			}
			defer os.Remove(serving)
		}

		created := ""
		if srv.HostKeyCreated() {
			created = ", new"
		}
		a.printf("gatehouse serve: listening on %s\n", addr)
		a.printf("host key %s (%s%s)\n", srv.HostKeyFingerprint(), hostKey, created)
		a.printf("connect: ssh -p %s %s   (commands: ssh -p %s %s users list)\n", port(addr), host(addr), port(addr), host(addr))
		if onEtcd {
			a.printf("store: %s (%s)\n", s.Path(), plural(s.UserCount(), "user", "users"))
		}
		if mail != nil {
			a.printf("outbox: delivered through %s as %s\n", mail, mail.From)
		} else if n, err := s.QueuedMessages(); err == nil && n > 0 {
			a.printf("outbox: %s queued and not delivered (no --smtp): gatehouse outbox list\n", plural(n, "message", "messages"))
		}
		if held {
			// the caller's Ctrl-C or SIGTERM ends its session, and this
			return srv.Serve(a.env.Caller.Context())
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return srv.Serve(ctx)
	}
	return c
}

func port(addr net.Addr) string {
	_, p, _ := net.SplitHostPort(addr.String())
	return p
}

func host(addr net.Addr) string {
	h, _, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(h); ip != nil && ip.IsUnspecified() {
		return "HOST"
	}
	return h
}

// remoteAccess is who may run a command over SSH.
type remoteAccess int

const (
	// operatorOnly: the operator's jobs at the server's machine (they read
	// or write files there, or hold the database themselves)
	operatorOnly remoteAccess = iota + 1
	// withUsers: whoever has access to Users & permissions (the store
	// decides the rest: scope, levels, escalation)
	withUsers
	// selfService: anyone signed in (effective and check answer only about
	// themselves to those without access to Users & permissions; help)
	selfService
)

// overSSH is the one allowlist of what runs over SSH, by command path. A
// command it does not name does not run: cobra's completion script
// generator (its script would run a gatehouse on the client's machine),
// and any command added later until it is named here (TestRemoteAllowlist
// lists the tree and asks each one).
var overSSH = map[string]remoteAccess{
	"gatehouse": selfService, // the root: its help
	"help":      selfService,
	"effective": selfService,
	"check":     selfService,
	// shell completion: it answers only what the actor may see, and
	// nothing for a command they may not run (complete.go)
	cobra.ShellCompRequestCmd: selfService,
	// the server's build is for those who administer it
	"version": withUsers,

	"serve": operatorOnly, "demo": operatorOnly, "backup": operatorOnly,
	"export": operatorOnly, "import": operatorOnly, "import-users": operatorOnly, "migrate": operatorOnly,
	holdName: operatorOnly, // the holder: started by gatehouse itself, at the machine

	"audit": withUsers, "audit log": withUsers, "audit verify": withUsers,
	"clients": withUsers, "clients add": withUsers, "clients list": withUsers,
	"clients rename": withUsers, "clients retire": withUsers, "clients restore": withUsers, "clients delete": withUsers,
	"outbox": withUsers, "outbox list": withUsers, "outbox show": withUsers,
	"profiles": withUsers, "profiles create": withUsers, "profiles delete": withUsers, "profiles grant": withUsers,
	"profiles list": withUsers, "profiles scope": withUsers, "profiles show": withUsers, "profiles rename": withUsers,
	"screens": withUsers, "screens add": withUsers, "screens list": withUsers, "screens retitle": withUsers,
	"settings": withUsers, "settings set": withUsers, "settings show": withUsers,
	"sites": withUsers, "sites add": withUsers, "sites assign": withUsers, "sites list": withUsers, "sites unassign": withUsers,
	"sites rename": withUsers, "sites retire": withUsers, "sites restore": withUsers, "sites delete": withUsers,
	"teams": withUsers, "teams add": withUsers, "teams list": withUsers,
	"teams rename": withUsers, "teams retire": withUsers, "teams restore": withUsers, "teams delete": withUsers, "teams move": withUsers,
	"undo": withUsers, "expiring": withUsers,
	"users": withUsers, "users add": withUsers, "users add-key": withUsers, "users assign-client": withUsers,
	"users delete": withUsers, "users disable": withUsers, "users edit": withUsers, "users enable": withUsers,
	"users feature": withUsers, "users history": withUsers, "users invite": withUsers, "users keys": withUsers,
	"users list": withUsers, "users remove-key": withUsers, "users set-password": withUsers, "users show": withUsers,
	"users unassign-client": withUsers,

	// reads about everyone the reader may see (issue 10)
	"who-can": withUsers, "review": withUsers,
}

// RemoteCommand is how serve runs an SSH exec session: the command tree,
// fresh for each session, acting as the signed-in user with the session's
// stdin, stdout and stderr.
func RemoteCommand(st *store.Store) func(sess ssh.Session, actor store.Actor, args []string, hasPty bool) int {
	return func(sess ssh.Session, actor store.Actor, args []string, hasPty bool) int {
		// another node's writes (etcd) are read before the line runs; when
		// the store does not answer, the line reads what memory holds (and
		// a write says why it cannot be made)
		_ = st.Refresh()
		env := Env{In: sess, Out: sess, Err: sess.Stderr(), Store: st, Actor: &actor}
		if hasPty {
			env.In = &ptyInput{r: sess}
		}
		return RunRemote(env, args)
	}
}

// ptyInput reads what a terminal in raw mode sends (ssh -t HOST COMMAND) as
// lines: Enter arrives as \r, and Ctrl-D or Ctrl-C end the input.
type ptyInput struct {
	r   io.Reader
	eof bool
}

func (p *ptyInput) Read(b []byte) (int, error) {
	if p.eof {
		return 0, io.EOF
	}
	n, err := p.r.Read(b)
	for i := 0; i < n; i++ {
		switch b[i] {
		case '\r':
			b[i] = '\n'
		case 0x03, 0x04:
			p.eof = true
			return i, nil
		}
	}
	return n, err
}

// RunRemote runs a command line for a user signed in over SSH (env.Store and
// env.Actor set) through the allowlist (overSSH): the local operator's jobs
// are refused, and users without access to Users & permissions may only ask
// about themselves. The allowlist is asked twice: first of the command the
// line names (so a refused command says so before any complaint about its
// arguments), then, through Env.Allow, of the command cobra actually runs,
// whatever added it to the tree.
func RunRemote(env Env, args []string) int {
	if env.Store == nil || env.Actor == nil {
		panic("cmd: RunRemote needs the server's store and the signed-in actor")
	}
	env.Allow = func(c *cobra.Command) error { return remoteAllowed(env, c) }
	if err := remoteNamed(env, args); err != nil {
		w := env.Err
		if w == nil {
			w = os.Stderr
		}
		printError(w, err, errorLine(err), cmdline.AskedJSON(args))
		return ExitCode(err)
	}
	return Run(env, args)
}

// remoteNamed asks the allowlist about the command a line names, in a tree
// holding what cobra adds when it runs (help, completion); a line naming no
// command is left to the tree, which answers it, and to Env.Allow.
func remoteNamed(env Env, args []string) error {
	root := NewRoot(Env{Store: env.Store, Actor: env.Actor})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(args...)
	if cmdline.IsCompletionRequest(args) {
		completionStandIn(root)
	}
	c, _, err := root.Find(args)
	if err != nil || c == nil {
		return nil
	}
	return remoteAllowed(env, c)
}

// remoteAllowed is the allowlist's answer for one command.
func remoteAllowed(env Env, c *cobra.Command) error {
	name := cmdName(c)
	switch overSSH[name] {
	case selfService:
		return nil
	case withUsers:
		if env.Store.Capabilities(*env.Actor).SelfServiceOnly() {
			return refusedf("%s may run only 'effective %s' and 'check %s SCREEN LEVEL [--site S]' over SSH; %s needs access to Users & permissions",
				env.Actor.Name, env.Actor.Name, env.Actor.Name, name)
		}
		return nil
	case operatorOnly:
		return refusedf("%s is a job for the operator on the server's machine; it is not available over SSH", name)
	}
	return refusedf("%s is not available over SSH", name)
}
