package ui

// The one way amounts are read and shown, on every screen: a booking's
// price, an invoice's lines, discount and payments, and every total.
// Digits per currency are record.MinorDigits (ISO 4217), the definition
// the invoices and billing use; an amount is typed in the workspace's
// currency (session.Currency) with "." or "," as its decimal mark.

import (
	"errors"
	"strconv"
	"strings"

	"pawfile/shared/record"
)

// parseMoney reads an amount as people type it: "12.50", "12,50", "12",
// "£12.50". It refuses anything else with a message saying what to type.
func parseMoney(s, cur string) (record.Money, error) {
	s = strings.TrimSpace(s)
	if sym := symbol(cur); sym != "" {
		s = strings.TrimSpace(strings.TrimPrefix(s, sym))
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, cur))
	minor, err := parseDecimal(s, record.MinorDigits(cur))
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

// formatMoney shows minor units of cur as people read them: "£1,234.50".
func formatMoney(minor int64, cur string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "−", -minor
	}
	d := record.MinorDigits(cur)
	s := strconv.FormatInt(minor, 10)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	whole, frac := s[:len(s)-d], s[len(s)-d:]
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if d > 0 {
		whole += "." + frac
	}
	if sym := symbol(cur); sym != "" {
		return sign + sym + whole
	}
	if cur == "" {
		return sign + whole
	}
	return sign + whole + " " + cur
}

// plainAmount is an amount as a form shows it for editing: "1234.50".
func plainAmount(minor int64, cur string) string {
	s := strings.ReplaceAll(formatMoney(minor, cur), ",", "")
	return strings.TrimSuffix(strings.TrimLeft(s, "£€$"), " "+cur)
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
