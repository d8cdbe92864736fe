// Package keys is gatehouse's SSH front door: the host key, sign-in by public
// key or password (keyboard-interactive), invitation acceptance, lockout of
// repeated failures, and the wish server that hands each signed-in session
// the console or a command line. It knows the store, not the command tree or
// the console: those come in as two functions (see Config).
//
// How a connection signs in:
//
//   - Public key: the wish handler only checks the key is enrolled. Once the
//     client has proven it holds the key (x/crypto's VerifiedPublicKeyCallback)
//     the key's user is looked up and refused if disabled; the session then
//     resolves its actor again from s.PublicKey(), the proven key. A key a
//     client merely offered never decides who it is.
//   - Password: keyboard-interactive asks "Password:" for the SSH user name
//     (the email); a user name no account can have (a control or invisible
//     character, far too long) is refused at once. The lockout is checked
//     before any argon2id hashing; a locked-out client is told what is
//     locked (its address, or the name it typed) and until when, and every
//     other refusal gets the same banner (RefusedMessage). The user's id and
//     a digest of the password hash travel to the session in the
//     connection's permissions. Lockouts never apply to keys: a key cannot
//     be guessed.
//   - Invitation: user "invite". A key the client brings is proven first
//     (partial success), then keyboard-interactive asks for the token and a
//     new password, checked against the password policy before "Again:" is
//     asked; the invitation is accepted and the key enrolled.
//
// Sessions: commands (exec) run through Config.Command before needsTerminal
// (wish's activeterm, on the terminal read once by sessionRequest);
// interactive sessions get Config.Console, run as wish's bubbletea
// middleware would (the session's input, output, terminal type, size and
// colour profile through wish's MakeOptions). Each session is registered so
// the server can end it: store events that touch a user with open sessions
// re-check them (disabled, deleted, key removed, password changed for a
// password session), and shutdown tells every console before closing it.
//
// Bounds: every session's requests pass filterRequests before
// charm.land/ssh sees them (the terminal clamped to MaxColumns×MaxRows and
// MaxCells, env and agent forwarding refused, window changes before the
// session starts held); a connection holds at most MaxSessionsPerConnection
// sessions and a user MaxSessionsPerUser; a command line is at most
// MaxCommandLine; a console reads its input through consoleInput, which
// hands bubbletea only whole, well-formed keys and sequences and pastes of
// at most maxPasteChunk, so it never holds what follows them. The offered
// algorithms are a hardened set (KeyExchanges, Ciphers, MACs).
//
// The server log escapes whatever clients typed (NewLogger).
//
// The local socket (local.go here; keys/attach has the socket, its protocol
// and the caller's end): the process that holds the database — serve, or
// the holder a console starts — also listens on a unix socket beside it
// (attach.Socket, mode 0600) for the other
// gatehouse processes of the machine, on a second ssh.Server with the same
// sessions (request filter, terminal clamp, console program, registry) and
// no keys or passwords: the kernel's peer credentials admit only this uid
// and root. Each session runs one command line of the local operator,
// the argv whole, through Config.Local (the local command tree, not the SSH
// allowlist); the holder reaches the caller's files, standard input
// (pulled, read for read) and terminal through channels it opens back to
// the client. attach.Run is the client's half; Config.Linger ends a holder
// after its last client.
//
// Mail: with Config.SMTP the server also delivers the outbox (invitations,
// password notices) for as long as it serves: one goroutine, woken by change
// events and by the next retry's timer, each attempt's outcome kept in the
// store (see SMTP).
package keys
