package store

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

const maxNameLen = 100

// ValidateEmail checks rule 1's "valid" half and returns the address trimmed.
func ValidateEmail(email string) (string, error) {
	e := strings.TrimSpace(email)
	if e == "" {
		return "", badInput("an email address is required")
	}
	if len(e) > 254 || !utf8.ValidString(e) {
		return "", badInput("email %q is not a valid address", email)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", badInput("email %q is not a valid address (like jane@example.com)", email)
	}
	local, domain, _ := strings.Cut(e, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", badInput("email %q is not a valid address (like jane@example.com)", email)
	}
	for _, r := range e {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", badInput("email %q is not a valid address", email)
		}
	}
	return e, nil
}

// ValidateName checks a first or last name: required, printable, not too long.
func ValidateName(field, name string) (string, error) { return validText(field+" name", name) }

// validText checks a required, printable, bounded piece of text.
func validText(what, text string) (string, error) {
	n := strings.TrimSpace(text)
	if n == "" {
		return "", badInput("%s is required", what)
	}
	if !utf8.ValidString(n) || utf8.RuneCountInString(n) > maxNameLen {
		return "", badInput("%s must be valid text of at most %d characters", what, maxNameLen)
	}
	for _, r := range n {
		if unicode.IsControl(r) {
			return "", badInput("%s %q has a control character", what, text)
		}
	}
	return n, nil
}

// validLabel checks a client, site, team or profile name.
func validLabel(what, name string) (string, error) {
	n, err := validText(what+" name", name)
	if err != nil {
		return "", err
	}
	if strings.Contains(n, ";") {
		return "", badInput("%s name %q may not contain ';' (it separates names in lists and CSV files)", what, name)
	}
	if what == "site" && strings.Contains(n, "/") {
		return "", badInput("site name %q may not contain '/' (it separates site and team)", name)
	}
	return n, nil
}
