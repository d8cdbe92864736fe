package store

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// Text enters the store here. Every text field — names, emails, key
// comments, screen keys, titles and groups, client, site, team and profile
// names — refuses what a terminal would act on or a reader could not see:
// C0 and C1 controls, DEL, bidi controls and invisible characters
// (safetext.Hidden); and is stored NFC-normalised, so one name has one
// spelling. Output escapes the same characters again, for files written
// before these rules.

const maxNameLen = 100

// ValidateEmail checks rule 1's "valid" half and returns the address trimmed
// and NFC-normalised.
func ValidateEmail(email string) (string, error) {
	e, err := validateEmail(email)
	return e, atField(err, FieldEmail)
}

func validateEmail(email string) (string, error) {
	e := strings.TrimSpace(email)
	if e == "" {
		return "", badInput("an email address is required")
	}
	if len(e) > 254 || !utf8.ValidString(e) {
		return "", badInput("email %s is not a valid address", quoteShort(email))
	}
	if err := noHidden("email", e); err != nil {
		return "", err
	}
	e = norm.NFC.String(e)
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", badInput("email %s is not a valid address (like jane@example.com)", quoteShort(email))
	}
	local, domain, _ := strings.Cut(e, "@")
	if startsFormula(local) {
		return "", badInput("email %s may not start with = + - @ (a spreadsheet would run it as a formula)", quoteShort(email))
	}
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", badInput("email %s is not a valid address (like jane@example.com)", quoteShort(email))
	}
	for _, r := range e {
		if unicode.IsSpace(r) {
			return "", badInput("email %s is not a valid address (it has a space)", quoteShort(email))
		}
	}
	return e, nil
}

// ValidateName checks a first or last name: required, printable, not too
// long, and not what a spreadsheet would run (names go out in exports and
// come in through CSV).
func ValidateName(field, name string) (string, error) {
	n, err := validText(field+" name", name)
	if err == nil && startsFormula(n) {
		err = badInput("%s name %s may not start with = + - @ (a spreadsheet would run it as a formula)", field, quoteShort(name))
	}
	if err != nil {
		f := FieldFirstName
		if field == "last" {
			f = FieldLastName
		}
		return "", atField(err, f)
	}
	return n, nil
}

// validText checks a required, printable, bounded piece of text and returns
// it trimmed and NFC-normalised.
func validText(what, text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", badInput("%s is required", what)
	}
	return optionalText(what, text, maxNameLen)
}

// optionalText is validText for a field that may be empty.
func optionalText(what, text string, max int) (string, error) {
	n := strings.TrimSpace(text)
	if n == "" {
		return "", nil
	}
	if !utf8.ValidString(n) {
		return "", badInput("%s must be valid text (UTF-8)", what)
	}
	if err := noHidden(what, n); err != nil {
		return "", err
	}
	n = norm.NFC.String(n)
	if utf8.RuneCountInString(n) > max {
		return "", badInput("%s must have at most %d characters (it has %d)", what, max, utf8.RuneCountInString(n))
	}
	return n, nil
}

// noHidden refuses a control or invisible character, naming the field and
// showing the character escaped.
func noHidden(what, s string) error {
	for _, r := range s {
		if safetext.Hidden(r) {
			kind := "an invisible"
			if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
				kind = "a control"
			}
			return badInput("%s %s has %s character (%s); type it again without it", what, quoteShort(s), kind, safetext.Escape(string(r)))
		}
	}
	return nil
}

// quoteShort quotes a value for an error message: at most 40 characters of
// it (a 50 MB name must not come back as a 50 MB line), control characters
// escaped as Go quoting does.
func quoteShort(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return safetext.Escape(strconv.Quote(s))
	}
	r := []rune(s)
	return safetext.Escape(strconv.Quote(string(r[:max]))) + "…"
}

// validLabel checks a client, site, team or profile name.
func validLabel(what, name string) (string, error) {
	n, err := checkLabel(what, name)
	return n, atField(err, FieldName)
}

func checkLabel(what, name string) (string, error) {
	n, err := validText(what+" name", name)
	if err != nil {
		return "", err
	}
	if strings.Contains(n, ";") {
		return "", badInput("%s name %s may not contain ';' (it separates names in lists and CSV files)", what, quoteShort(name))
	}
	if what == "site" && strings.Contains(n, "/") {
		return "", badInput("site name %s may not contain '/' (it separates site and team)", quoteShort(name))
	}
	if startsFormula(n) {
		return "", badInput("%s name %s may not start with = + - @ (a spreadsheet would run it as a formula)", what, quoteShort(name))
	}
	return n, nil
}

// startsFormula says whether a spreadsheet opening this text in a cell
// would run it (CSV injection): = + - @, or a tab or CR before them.
func startsFormula(s string) bool {
	return s != "" && strings.ContainsRune("=+-@", rune(s[0]))
}
