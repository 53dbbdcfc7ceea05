package ui

// The one way amounts are read and shown, on every screen: a booking's
// price, an invoice's lines, discount and payments, and every total.
// Digits per currency are record.MinorDigits (ISO 4217), the definition
// the invoices and billing use; an amount is typed in the workspace's
// currency (session.Currency) with "." or "," as its decimal mark, and
// shown in the number style the owner chose (session.Money): "£1,234.50",
// "1.234,50 €", "1 234,50 €" or "1’234.50 CHF".

import (
	"errors"
	"strconv"
	"strings"

	"pawfile/shared/record"
)

// parseMoney reads an amount as people type it: "12.50", "12,50", "12",
// "£12.50", and with the thousands separators of the workspace's number
// style ("1,234.50", "1.234,50"). It refuses anything else with a
// message saying what to type.
func parseMoney(s, cur string) (record.Money, error) {
	return parseMoneyIn(workspaceStyle(), s, cur)
}

func parseMoneyIn(st numberStyle, s, cur string) (record.Money, error) {
	s = strings.TrimSpace(s)
	if sym := symbol(cur); sym != "" {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, sym), sym))
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, cur))
	places := record.MinorDigits(cur)
	minor, err := parseDecimal(withoutGrouping(s, st, places), places)
	if err != nil {
		return record.Money{}, err
	}
	if minor > record.MoneyMax {
		return record.Money{}, errors.New("too large: check the amount")
	}
	return record.Money{Minor: minor, Currency: cur}, nil
}

// parseDecimal reads digits with at most one decimal point or comma and
// at most places decimals, as an integer of 10^-places units.
func parseDecimal(s string, places int) (int64, error) {
	switch {
	case s == "":
		return 0, errors.New("enter an amount, such as 12.50")
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		return 0, errors.New("must not be negative")
	}
	s = strings.ReplaceAll(s, ",", ".")
	if strings.Count(s, ".") > 1 {
		return 0, errors.New("use one decimal mark and no thousands separator, such as 1234.50")
	}
	whole, frac, _ := strings.Cut(s, ".")
	switch {
	case whole+frac == "", strings.Trim(whole+frac, "0123456789") != "":
		return 0, errors.New("not an amount: use digits, such as 12.50 or 12,50")
	case len(frac) > places && places == 0:
		return 0, errors.New("whole amounts only in this currency")
	case len(frac) > places:
		return 0, errors.New("at most " + strconv.Itoa(places) + " decimals")
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", places-len(frac)), "0")
	if digits == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, errors.New("too large: check the amount")
	}
	return n, nil
}

// withoutGrouping drops the thousands separators from an amount typed
// as people write it: spaces and apostrophes anywhere; of "." and ",",
// when both are there, the one that comes first ("1.234,50",
// "1,234.50"); and the style's own separator alone when it only splits
// the digits in threes ("1.234.567", or "1.234" in a currency of fewer
// than three decimals). Any other single mark is the decimal mark, so
// "12,50" and "12.50" both read as twelve fifty.
func withoutGrouping(s string, st numberStyle, places int) string {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "'", "", "’", "").Replace(s)
	dot, comma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	switch {
	case dot >= 0 && comma > dot:
		return strings.ReplaceAll(s, ".", "")
	case comma >= 0 && dot > comma:
		return strings.ReplaceAll(s, ",", "")
	case st.group != "." && st.group != ",":
		return s
	}
	parts := strings.Split(s, st.group)
	if len(parts) == 1 || (len(parts) == 2 && places >= 3) || len(parts[0]) == 0 || len(parts[0]) > 3 {
		return s
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return s
		}
	}
	return strings.Join(parts, "")
}

// numberStyle is how a workspace writes amounts (record.Settings'
// number_style): its decimal mark, its thousands separator, and whether
// the currency's sign follows the amount.
type numberStyle struct {
	decimal, group string
	signAfter      bool
}

// numberStyles are the styles the owner chooses from, by stored name; ""
// is the default, point.
var numberStyles = map[string]numberStyle{
	"":           {".", ",", false},
	"point":      {".", ",", false},
	"comma":      {",", ".", true},
	"space":      {",", "\u202f", true},
	"apostrophe": {".", "’", false},
}

// workspaceStyle is the number style the workspace's owner chose.
func workspaceStyle() numberStyle {
	if current == nil {
		return numberStyles[""]
	}
	return numberStyles[current.Money().NumberStyle]
}

// formatMoney shows minor units of cur as people read them, in the
// workspace's number style: "£1,234.50", "1.234,50 €".
func formatMoney(minor int64, cur string) string {
	return formatMoneyIn(workspaceStyle(), minor, cur)
}

func formatMoneyIn(st numberStyle, minor int64, cur string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "−", -minor
	}
	whole, frac := digitsOf(minor, cur)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + st.group + whole[i:]
	}
	if frac != "" {
		whole += st.decimal + frac
	}
	switch sym := symbol(cur); {
	case cur == "":
		return sign + whole
	case sym != "" && !st.signAfter:
		return sign + sym + whole
	case sym != "":
		return sign + whole + " " + sym
	}
	return sign + whole + " " + cur
}

// digitsOf splits minor units of cur into the whole units' digits and
// the decimals' (record.MinorDigits of them).
func digitsOf(minor int64, cur string) (whole, frac string) {
	d := record.MinorDigits(cur)
	s := strconv.FormatInt(minor, 10)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	return s[:len(s)-d], s[len(s)-d:]
}

// plainAmount is an amount as a form shows it for editing, without
// sign or separators, in the workspace's decimal mark: "1234.50",
// "1234,50". parseMoney reads it back.
func plainAmount(minor int64, cur string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "−", -minor
	}
	whole, frac := digitsOf(minor, cur)
	if frac == "" {
		return sign + whole
	}
	return sign + whole + workspaceStyle().decimal + frac
}

// symbol is the sign a currency is written with before the amount, or ""
// for those written with their code after it.
func symbol(cur string) string {
	switch cur {
	case "GBP":
		return "£"
	case "EUR":
		return "€"
	case "USD":
		return "$"
	}
	return ""
}
