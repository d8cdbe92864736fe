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
//     (the email); the lockout is checked before any argon2id hashing, and
//     every refusal gets the same banner (RefusedMessage). The user's id
//     travels to the session in the connection's permissions.
//   - Invitation: user "invite". A key the client brings is proven first
//     (partial success), then keyboard-interactive asks for the token and a
//     new password twice; the invitation is accepted and the key enrolled.
//
// Sessions: commands (exec) run through Config.Command before needsTerminal
// (wish's activeterm, on the terminal read once by sessionRequest);
// interactive sessions get Config.Console, run as wish's bubbletea
// middleware would, with the session's renderer. Each session is registered so the
// server can end it: store events that touch a user with open sessions
// re-check them (disabled, deleted, key removed), and shutdown tells every
// console before closing it.
//
// Mail: with Config.SMTP the server also delivers the outbox (invitations,
// password notices) for as long as it serves: one goroutine, woken by change
// events and by the next retry's timer, each attempt's outcome kept in the
// store (see SMTP).
package keys
