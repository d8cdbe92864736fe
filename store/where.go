package store

import (
	"strings"
)

// WhereKeys are the filters `--where` understands.
var WhereKeys = []string{"profile", "site", "team", "client", "status", "type", "text"}

// ParseWhere reads a --where expression: comma-separated key=value pairs,
// values optionally in double quotes (which may then hold commas), e.g.
// profile=User,site="North Depot",status=active. A key may appear once.
func ParseWhere(expr string) (UserFilter, error) {
	var f UserFilter
	if strings.TrimSpace(expr) == "" {
		return f, badInput("--where needs at least one key=value, e.g. profile=User,site=\"North Depot\"")
	}
	seen := map[string]bool{}
	rest := expr
	for {
		rest = strings.TrimLeft(rest, " ")
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return f, badInput("--where: %q is not key=value (keys: %s)", strings.TrimSpace(rest), strings.Join(WhereKeys, ", "))
		}
		key = strings.ToLower(strings.TrimSpace(key))
		var val string
		after = strings.TrimLeft(after, " ")
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return f, badInput("--where: the value of %s has no closing quote", key)
			}
			val, rest = after[1:1+end], after[2+end:]
			rest = strings.TrimLeft(rest, " ")
			if rest != "" && !strings.HasPrefix(rest, ",") {
				return f, badInput("--where: expected a comma after %s=\"%s\"", key, val)
			}
		} else {
			val, rest, _ = strings.Cut(after, ",")
			rest = "," + rest
			if !strings.Contains(after, ",") {
				rest = ""
			}
			val = strings.TrimSpace(val)
		}
		if val == "" {
			return f, badInput("--where: %s needs a value", key)
		}
		if seen[key] {
			return f, badInput("--where: %s is given twice", key)
		}
		seen[key] = true
		if err := f.set(key, val); err != nil {
			return f, err
		}
		rest = strings.TrimPrefix(rest, ",")
		if strings.TrimSpace(rest) == "" {
			if strings.HasSuffix(strings.TrimSpace(expr), ",") {
				return f, badInput("--where: nothing after the last comma")
			}
			return f, nil
		}
	}
}

func (f *UserFilter) set(key, val string) error {
	switch key {
	case "profile":
		f.Profile = val
	case "site":
		f.Site = val
	case "team":
		f.Team = val
	case "client":
		f.Client = val
	case "text", "name", "email":
		f.Text = val
	case "type":
		t, err := ParseUserType(val)
		if err != nil {
			return err
		}
		f.Type = &t
	case "status":
		if strings.EqualFold(val, "all") {
			f.Statuses = nil
			return nil
		}
		for _, part := range strings.Split(val, "|") {
			st, err := ParseStatus(part)
			if err != nil {
				return err
			}
			f.Statuses = append(f.Statuses, st)
		}
	default:
		return badInput("--where: unknown key %q; the keys are %s", key, strings.Join(WhereKeys, ", "))
	}
	return nil
}
