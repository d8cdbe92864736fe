package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SettingKeys lists the keys of `settings set`, in display order.
var SettingKeys = []string{"restrict-locations", "client-guardrail", "invite-expiry", "adhoc-clock-in", "portal", "mobile-app", "lockout-attempts", "lockout-window"}

// SettingHelp says what each key means.
var SettingHelp = map[string]string{
	"restrict-locations": "a user's default location must be one of their assigned sites (on|off)",
	"client-guardrail":   "client profiles get at most view and never a sensitive screen (on|off)",
	"invite-expiry":      "how long an invitation token stays valid (a duration: 72h, 7d)",
	"adhoc-clock-in":     "org default: employees may clock in against ad-hoc shifts (on|off)",
	"portal":             "org default: employees may use the employee portal (on|off)",
	"mobile-app":         "org default: employees may use the mobile app (on|off)",
	"lockout-attempts":   "failed sign-ins from one address or for one account before a lockout (1-100)",
	"lockout-window":     "how long failed sign-ins count, and how long the lockout lasts (a duration)",
}

// Value renders one setting as `settings show` prints it.
func (s Settings) Value(key string) string {
	switch key {
	case "restrict-locations":
		return onOff(s.RestrictLocations)
	case "client-guardrail":
		return onOff(s.ClientGuardrail)
	case "invite-expiry":
		return FormatDuration(s.InviteExpiry)
	case "lockout-attempts":
		return strconv.Itoa(s.LockoutAttempts)
	case "lockout-window":
		return FormatDuration(s.LockoutWindow)
	}
	if f, err := ParseFeature(key); err == nil {
		return onOff(s.Features[f])
	}
	return ""
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseOnOff(key, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, badInput("%s takes on or off, not %q", key, v)
}

// ParseDuration reads Go durations plus days ("7d", "1d12h").
func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	var days time.Duration
	if d, rest, ok := strings.Cut(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil {
			return 0, badInput("duration %q is not like 72h, 7d or 1d12h", v)
		}
		days, v = time.Duration(n)*24*time.Hour, rest
	}
	var rest time.Duration
	if v != "" {
		var err error
		if rest, err = time.ParseDuration(v); err != nil {
			return 0, badInput("duration %q is not like 72h, 7d or 1d12h", v)
		}
	}
	return days + rest, nil
}

// FormatDuration prints whole days as "7d".
func FormatDuration(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// SetSetting changes one org setting (shared: needs an all-sites actor with maintain on Settings).
func (t *Tx) SetSetting(key, value string) error {
	if err := t.require("settings", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	st := c.settings
	switch key {
	case "restrict-locations":
		v, err := parseOnOff(key, value)
		if err != nil {
			return err
		}
		st.RestrictLocations = v
	case "client-guardrail":
		v, err := parseOnOff(key, value)
		if err != nil {
			return err
		}
		st.ClientGuardrail = v
	case "invite-expiry":
		d, err := ParseDuration(value)
		if err != nil {
			return err
		}
		if d < time.Hour || d > 90*24*time.Hour {
			return badInput("invite-expiry must be between 1h and 90d, not %s", value)
		}
		st.InviteExpiry = d
	case "lockout-attempts":
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < 1 || n > 100 {
			return badInput("lockout-attempts takes a whole number from 1 to 100, not %q", value)
		}
		st.LockoutAttempts = n
	case "lockout-window":
		d, err := ParseDuration(value)
		if err != nil {
			return err
		}
		if d < time.Second || d > 24*time.Hour {
			return badInput("lockout-window must be between 1s and 24h, not %s", value)
		}
		st.LockoutWindow = d
	default:
		f, err := ParseFeature(key)
		if err != nil {
			return badInput("no setting %q; the keys are: %s", key, strings.Join(SettingKeys, ", "))
		}
		v, err := parseOnOff(key, value)
		if err != nil {
			return err
		}
		st.Features[f] = v
	}
	before, after := c.settings.Value(key), st.Value(key)
	if before == after {
		return nil
	}
	if err := t.settingsAllowed(st); err != nil {
		return err
	}
	st.Version++
	st.Updated, st.UpdatedBy = t.now, t.actor.Name
	c.settings = st
	t.record(Ref{Kind: "settings", ID: 1, Label: "org"}, key, before, after)
	return writeJSON(t.w, bucketMeta, keySettings, st)
}

// settingsAllowed refuses a switch that existing data would break.
func (t *Tx) settingsAllowed(st Settings) error {
	c := t.catalog()
	if st.ClientGuardrail && !c.settings.ClientGuardrail {
		for _, p := range c.profiles {
			if p.Type != ClientUser {
				continue
			}
			for _, sc := range c.screens {
				if l := p.Levels[sc.Key]; l > View || (l > None && sc.Sensitive) {
					return refused("cannot turn the guardrail on: client profile %s has %s on %s; lower it first", p.Name, l, sc.Title)
				}
			}
		}
	}
	if st.RestrictLocations && !c.settings.RestrictLocations {
		t.s.mu.RLock()
		defer t.s.mu.RUnlock()
		n, example := 0, ""
		outside := func(u *User) {
			if u != nil && u.DefaultSiteID != 0 && !userSites(u, c)[u.DefaultSiteID] {
				n++
				if example == "" {
					example = u.Email
				}
			}
		}
		t.s.users.each(func(u *User) {
			if o, ok := t.users[u.ID]; ok {
				u = o
			}
			outside(u)
		})
		for id, u := range t.users { // users added in this change set
			if t.s.users.get(id) == nil {
				outside(u)
			}
		}
		if n > 0 {
			return refused("cannot restrict locations: %s a default location outside their sites, e.g. %s; fix them first", countOf(n, "user has", "users have"), example)
		}
	}
	return nil
}
