package keys

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/store"
)

// Permissions extensions: what authentication proved, read by the session.
const (
	extUserID      = "gatehouse-user-id"      // a password sign-in: the user's id
	extInviteEmail = "gatehouse-invite-email" // an accepted invitation: the new user's email
	extInviteKey   = "gatehouse-invite-key"   // what happened to the key they came with
)

var errRefused = errors.New("sign-in refused")

// refusal is a failed attempt that tells the client why, as an auth banner.
func refusal(msg string) error {
	return &gossh.BannerError{Err: errRefused, Message: msg + "\n"}
}

// publicKeyHandler answers whether a key may be used to sign in. It only
// checks the key is enrolled: clients offer keys they cannot sign for, so
// who signs in is decided once the key is proven (verifiedKey) and again by
// the session from s.PublicKey().
func (s *Server) publicKeyHandler(ctx ssh.Context, key ssh.PublicKey) (ok bool) {
	defer s.recovered("public key check", ctx.RemoteAddr(), func() { ok = false })
	s.hook("publickey")
	fp := gossh.FingerprintSHA256(key)
	if locked, _ := s.limiter.Locked(AddrKey(ctx.RemoteAddr())); locked {
		s.log.Warn("sign-in refused", "remote", addrString(ctx.RemoteAddr()), "method", "publickey", "key", fp, "why", "address locked after repeated failures")
		return false
	}
	if ctx.User() == InviteUser {
		return true // a key brought to an invitation: enrolled once the token is good
	}
	if _, err := s.st.Key(fp); err != nil {
		s.log.Info("key not enrolled", "remote", addrString(ctx.RemoteAddr()), "user", ctx.User(), "key", fp)
		return false
	}
	return true
}

// serverConfig is the SSH configuration of one connection: wish adds the
// host key and the public-key handler to it.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
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
	}
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
	if conn.User() == InviteUser {
		return s.invitation(conn, challenge, key)
	}
	return s.password(conn, challenge)
}

func (s *Server) password(conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
	addr, account := AddrKey(conn.RemoteAddr()), AccountKey(conn.User())
	remote := addrString(conn.RemoteAddr())
	if locked, until := s.limiter.Locked(addr, account); locked {
		s.log.Warn("sign-in refused", "remote", remote, "user", conn.User(), "method", "password", "why", "locked after repeated failures", "until", until.Format("15:04:05"))
		return nil, refusal(RefusedMessage)
	}
	answers, err := challenge("", "", []string{"Password: "}, []bool{false})
	if err != nil {
		return nil, err
	}
	if len(answers) != 1 {
		return nil, refusal(RefusedMessage)
	}
	// again, before any hashing: other connections may have locked it meanwhile
	if locked, _ := s.limiter.Locked(addr, account); locked {
		s.log.Warn("sign-in refused", "remote", remote, "user", conn.User(), "method", "password", "why", "locked after repeated failures")
		return nil, refusal(RefusedMessage)
	}
	u, err := s.checkPassword(conn.User(), answers[0])
	if err != nil {
		lockedNow := s.limiter.Fail(addr, account)
		s.log.Warn("sign-in refused", "remote", remote, "user", conn.User(), "method", "password", "why", s.whyPasswordRefused(conn.User()), "locked", lockedNow)
		return nil, refusal(RefusedMessage)
	}
	s.limiter.Reset(account)
	return &gossh.Permissions{Extensions: map[string]string{extUserID: strconv.FormatUint(u.ID, 10)}}, nil
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

// invitation asks for the token, then a new password twice, accepts the
// invitation and enrols the key the client proved, if it came with one.
func (s *Server) invitation(conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge, key gossh.PublicKey) (*gossh.Permissions, error) {
	addr := AddrKey(conn.RemoteAddr())
	remote := addrString(conn.RemoteAddr())
	if locked, _ := s.limiter.Locked(addr); locked {
		s.log.Warn("invitation refused", "remote", remote, "why", "address locked after repeated failures")
		return nil, refusal(badTokenMessage)
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
	note := fmt.Sprintf("Welcome, %s. Choose a password (at least 10 characters).", u.Name())
	for try := 0; try < 3; try++ {
		answers, err := challenge(title, note, []string{"New password: ", "Again: "}, []bool{false, false})
		if err != nil {
			return nil, err
		}
		if len(answers) != 2 {
			return nil, refusal(badTokenMessage)
		}
		if answers[0] != answers[1] {
			note = "The two passwords differ; try again."
			continue
		}
		if err := store.ValidatePassword(answers[0]); err != nil {
			note = strings.ToUpper(err.Error()[:1]) + err.Error()[1:] + "; try again."
			continue
		}
		nu, err := s.st.AcceptInvitation(token, answers[0])
		if err != nil {
			if store.IsBadToken(err) {
				s.log.Warn("invitation refused", "remote", remote, "user", u.Email, "why", "token used or revoked meanwhile")
				return nil, refusal(badTokenMessage)
			}
			if store.KindOf(err) == store.KindInput {
				note = err.Error() + "; try again."
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
