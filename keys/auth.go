package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
)

// Permissions extensions: what authentication proved, read by the session.
const (
	extUserID      = "gatehouse-user-id"      // a password sign-in: the user's id
	extInviteEmail = "gatehouse-invite-email" // an accepted invitation: the new user's email
	extInviteKey   = "gatehouse-invite-key"   // what happened to the key they came with
	// a password sign-in: the hash it signed in against (hashTag)
	extPasswordHash = "gatehouse-password-hash"
)

var errRefused = errors.New("sign-in refused")

// refusal is a failed attempt that tells the client why, as an auth banner.
func refusal(msg string) error {
	return &gossh.BannerError{Err: errRefused, Message: msg + "\n"}
}

// publicKeyHandler answers whether a key may be used to sign in. It only
// checks the key is enrolled: clients offer keys they cannot sign for, so
// who signs in is decided once the key is proven (verifiedKey) and again by
// the session from s.PublicKey(). No lockout applies: a key cannot be
// guessed, so password failures — from the same address or for the same
// account — never keep its holder out.
func (s *Server) publicKeyHandler(ctx ssh.Context, key ssh.PublicKey) (ok bool) {
	defer s.recovered("public key check", ctx.RemoteAddr(), func() { ok = false })
	s.hook("publickey")
	fp := gossh.FingerprintSHA256(key)
	if ctx.User() == InviteUser {
		return true // a key brought to an invitation: enrolled once the token is good
	}
	if _, err := s.st.Key(fp); err != nil {
		s.log.Info("key not enrolled", "remote", addrString(ctx.RemoteAddr()), "user", logText(ctx.User()), "key", fp)
		return false
	}
	return true
}

// serverConfig is the SSH configuration of one connection: wish adds the
// host key and the public-key handler to it.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return hardened(&gossh.ServerConfig{
		MaxAuthTries: 6,
		// wish turns on NoClientAuth if it ever finds no handler: refuse
		// "none" here as well
		NoClientAuthCallback: func(gossh.ConnMetadata) (*gossh.Permissions, error) {
			return nil, errRefused
		},
		VerifiedPublicKeyCallback: func(conn gossh.ConnMetadata, key gossh.PublicKey, perms *gossh.Permissions, algo string) (*gossh.Permissions, error) {
			return s.verifiedKey(ctx, conn, key, perms)
		},
		KeyboardInteractiveCallback: func(conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
			return s.keyboardInteractive(ctx, conn, challenge, nil)
		},
	})
}

// verifiedKey runs once the client has proven it holds the key: here the
// key decides who signs in (and the user name, which may differ from the
// first attempt's, is the current one).
func (s *Server) verifiedKey(ctx ssh.Context, conn gossh.ConnMetadata, key gossh.PublicKey, perms *gossh.Permissions) (out *gossh.Permissions, err error) {
	defer s.recovered("verified key", conn.RemoteAddr(), func() { out, err = nil, errRefused })
	s.hook("verified-key")
	fp := gossh.FingerprintSHA256(key)
	if conn.User() == InviteUser {
		// the key is proven: now the invitation token, then the password
		return nil, &gossh.PartialSuccessError{Next: gossh.ServerAuthCallbacks{
			KeyboardInteractiveCallback: func(conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
				return s.keyboardInteractive(ctx, conn, challenge, key)
			},
		}}
	}
	u, kerr := s.st.UserByKey(fp)
	switch {
	case kerr != nil:
		s.log.Warn("sign-in refused", "remote", addrString(conn.RemoteAddr()), "method", "publickey", "key", fp, "why", "key not enrolled")
		return nil, refusal(RefusedMessage)
	case u.Disabled:
		s.log.Warn("sign-in refused", "remote", addrString(conn.RemoteAddr()), "method", "publickey", "key", fp, "user", u.Email, "why", "user disabled")
		return nil, refusal(RefusedMessage)
	}
	return perms, nil
}

// keyboardInteractive is password sign-in, or for the user "invite" the
// invitation (key: the key the client proved first, if any).
func (s *Server) keyboardInteractive(ctx ssh.Context, conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge, key gossh.PublicKey) (out *gossh.Permissions, err error) {
	defer s.recovered("keyboard-interactive", conn.RemoteAddr(), func() { out, err = nil, errRefused })
	s.hook("keyboard-interactive")
	if msg := badUserName(conn.User()); msg != "" {
		s.log.Warn("sign-in refused", "remote", addrString(conn.RemoteAddr()), "user", logText(conn.User()), "method", "keyboard-interactive", "why", "unusable user name")
		return nil, refusal(msg)
	}
	if conn.User() == InviteUser {
		return s.invitation(conn, challenge, key)
	}
	return s.password(conn, challenge)
}

// maxUserName bounds the SSH user name of a password sign-in: an email has
// at most 254 bytes.
const maxUserName = 320

// badUserName says what is wrong with a user name no account can have (a
// control or invisible character, or far too long), before it is looked
// up, counted against a lock or written anywhere; "" when nothing is.
func badUserName(name string) string {
	if len(name) > maxUserName {
		return fmt.Sprintf("gatehouse: the user name has %d bytes, more than an email address can; sign in with your email: ssh -l EMAIL HOST", len(name))
	}
	for i, r := range name {
		if _, n := utf8.DecodeRuneInString(name[i:]); r == utf8.RuneError && n <= 1 {
			return "gatehouse: the user name is not valid UTF-8 text; sign in with your email: ssh -l EMAIL HOST"
		}
		if safetext.Hidden(r) {
			return fmt.Sprintf("gatehouse: the user name holds a control or invisible character (%s); sign in with your email: ssh -l EMAIL HOST", safetext.Escape(string(r)))
		}
	}
	return ""
}

// lockedMessage tells whoever is locked out why and until when, in one
// line. It names what is locked (the address, or the name they typed);
// a name that is no account locks exactly as one that is, after as many
// failures, so it tells a stranger nothing about which accounts exist.
func lockedMessage(what string, until, now time.Time) string {
	left := until.Sub(now).Round(time.Second)
	return fmt.Sprintf("gatehouse: %s is locked after repeated failures until %s (%s from now); sign in with your key, or try again then",
		what, until.UTC().Format("15:04:05 UTC"), left)
}

// passwordLock is the lock that holds a password sign-in back, if any: the
// address's first (it is what the client can least change), then the
// account's.
func (s *Server) passwordLock(addr net.Addr, user string) (string, time.Time, bool) {
	if locked, until := s.limiter.Locked(AddrKey(addr)); locked {
		return "password sign-in from your address (" + addrHost(addr) + ")", until, true
	}
	if locked, until := s.limiter.Locked(AccountKey(user)); locked {
		return "password sign-in for " + safetext.Escape(strings.ToLower(strings.TrimSpace(user))), until, true
	}
	return "", time.Time{}, false
}

func (s *Server) password(conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
	addr, account := AddrKey(conn.RemoteAddr()), AccountKey(conn.User())
	remote, user := addrString(conn.RemoteAddr()), logText(conn.User())
	refuseLocked := func() (*gossh.Permissions, error) {
		what, until, _ := s.passwordLock(conn.RemoteAddr(), conn.User())
		s.log.Warn("sign-in refused", "remote", remote, "user", user, "method", "password", "why", what+" locked after repeated failures", "until", until.UTC().Format(time.RFC3339))
		return nil, refusal(lockedMessage(what, until, s.limiter.now()))
	}
	if _, _, locked := s.passwordLock(conn.RemoteAddr(), conn.User()); locked {
		return refuseLocked()
	}
	answers, err := challenge("", "", []string{"Password: "}, []bool{false})
	if err != nil {
		return nil, err
	}
	if len(answers) != 1 {
		return nil, refusal(RefusedMessage)
	}
	// again, before any hashing: other connections may have locked it meanwhile
	if _, _, locked := s.passwordLock(conn.RemoteAddr(), conn.User()); locked {
		return refuseLocked()
	}
	u, err := s.checkPassword(conn.User(), answers[0])
	if err != nil {
		lockedNow := s.limiter.Fail(addr, account)
		s.log.Warn("sign-in refused", "remote", remote, "user", user, "method", "password", "why", s.whyPasswordRefused(conn.User()), "locked", lockedNow)
		if lockedNow {
			return refuseLocked()
		}
		return nil, refusal(RefusedMessage)
	}
	s.limiter.Reset(account)
	return &gossh.Permissions{Extensions: map[string]string{
		extUserID:       strconv.FormatUint(u.ID, 10),
		extPasswordHash: hashTag(u.PasswordHash),
	}}, nil
}

// addrHost is the host of a remote address, without the port.
func addrHost(a net.Addr) string {
	if a == nil {
		return "?"
	}
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

// hashTag names the password hash a session signed in against (a digest:
// the hash itself stays in the store), so the session can end when the
// password changes.
func hashTag(hash string) string {
	sum := sha256.Sum256([]byte(hash))
	return hex.EncodeToString(sum[:])
}

// whyPasswordRefused is the reason for the log only; the client is told nothing.
func (s *Server) whyPasswordRefused(email string) string {
	u, err := s.st.User(email)
	switch {
	case err != nil:
		return "unknown user"
	case u.Disabled:
		return "user disabled"
	case u.PasswordHash == "":
		return "user has no password"
	}
	return "wrong password"
}

// badTokenMessage is the one answer to an expired, used or wrong token.
const badTokenMessage = "gatehouse: that invitation token is not valid (wrong, used or expired); ask your administrator for a new invitation"

// invitation asks for the token, then a new password, checked against the
// policy before it is asked again, accepts the invitation and enrols the key
// the client proved, if it came with one.
func (s *Server) invitation(conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge, key gossh.PublicKey) (*gossh.Permissions, error) {
	addr := AddrKey(conn.RemoteAddr())
	remote := addrString(conn.RemoteAddr())
	if locked, until := s.limiter.Locked(addr); locked {
		s.log.Warn("invitation refused", "remote", remote, "why", "address locked after repeated failures", "until", until.UTC().Format(time.RFC3339))
		return nil, refusal(lockedMessage("accepting invitations from your address ("+addrHost(conn.RemoteAddr())+")", until, s.limiter.now()))
	}
	const title = "gatehouse invitation"
	answers, err := challenge(title, "Enter the token from your invitation.", []string{"Invitation token: "}, []bool{false})
	if err != nil {
		return nil, err
	}
	if len(answers) != 1 {
		return nil, refusal(badTokenMessage)
	}
	token := strings.TrimSpace(answers[0])
	u, err := s.st.CheckInvitation(token)
	if err != nil {
		s.limiter.Fail(addr)
		s.log.Warn("invitation refused", "remote", remote, "why", "bad token")
		return nil, refusal(badTokenMessage)
	}
	note := fmt.Sprintf("Welcome, %s. Choose a password: at least 10 characters and hard to guess (a passphrase of unrelated words).", safetext.Escape(u.Name()))
	for try := 0; try < 3; try++ {
		answers, err := challenge(title, note, []string{"New password: "}, []bool{false})
		if err != nil {
			return nil, err
		}
		if len(answers) != 1 {
			return nil, refusal(badTokenMessage)
		}
		pw := answers[0]
		// the policy first, so a password it refuses is never typed twice
		if err := store.ValidatePasswordFor(u, pw); err != nil {
			note = tryAgain(err)
			continue
		}
		again, err := challenge(title, "Type the same password again.", []string{"Again: "}, []bool{false})
		if err != nil {
			return nil, err
		}
		if len(again) != 1 {
			return nil, refusal(badTokenMessage)
		}
		if again[0] != pw {
			note = "The two passwords differ; choose a password again."
			continue
		}
		nu, err := s.st.AcceptInvitation(token, pw)
		if err != nil {
			if store.IsBadToken(err) {
				s.log.Warn("invitation refused", "remote", remote, "user", u.Email, "why", "token used or revoked meanwhile")
				return nil, refusal(badTokenMessage)
			}
			if store.KindOf(err) == store.KindInput {
				note = tryAgain(err)
				continue
			}
			return nil, err
		}
		perms := &gossh.Permissions{Extensions: map[string]string{extInviteEmail: nu.Email}}
		if key != nil {
			perms.Extensions[extInviteKey] = s.enrol(nu, key)
		}
		s.log.Info("invitation accepted", "remote", remote, "user", nu.Email, "key", perms.Extensions[extInviteKey])
		return perms, nil
	}
	s.log.Warn("invitation not completed", "remote", remote, "user", u.Email, "why", "no acceptable password")
	return nil, refusal("gatehouse: no password was set; your invitation is still open: connect again")
}

// tryAgain is a refused password's reason as the next prompt's note (the
// store's reasons that say what to do carry it after a semicolon).
func tryAgain(err error) string {
	msg := safetext.Escape(err.Error())
	if msg == "" {
		return "Try again."
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:] + "."
	if !strings.Contains(msg, "; ") {
		msg += " Try again."
	}
	return msg
}

// enrol adds the key the new user proved to their account and says what happened.
func (s *Server) enrol(u *store.User, key gossh.PublicKey) string {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key)))
	fp := gossh.FingerprintSHA256(key)
	_, err := s.st.Apply(store.Actor{UserID: u.ID, Name: u.Email}, "enrol key at invitation", func(tx *store.Tx) error {
		_, err := tx.EnrolOwnKey(line)
		return err
	})
	if err != nil {
		return "your key " + fp + " was not enrolled: " + err.Error()
	}
	return "your key " + fp + " is enrolled: sign in with it from now on"
}
