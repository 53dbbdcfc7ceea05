package ui

import (
	"strings"
	"testing"

	"pawfile/shared/record"
)

func TestParseMoney(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    int64
	}{
		{"12.50", "GBP", 1250}, {"12,50", "GBP", 1250}, {" 12 ", "GBP", 1200}, {"£12.5", "GBP", 1250},
		{"0.07", "GBP", 7}, {".5", "EUR", 50}, {"12.", "GBP", 1200}, {"0", "GBP", 0}, {"00.00", "GBP", 0},
		{"1500", "JPY", 1500}, {"1.234", "KWD", 1234}, {"10000000000", "GBP", 1_000_000_000_000},
		// Thousands separators as the number styles show them.
		{"1,234.50", "GBP", 123450}, {"1.234,50", "EUR", 123450}, {"1 234,50", "EUR", 123450}, {"1\u202f234,50", "EUR", 123450},
		{"1’234.50", "CHF", 123450}, {"1 234", "GBP", 123400}, {"1.234.567,8", "EUR", 123456780},
		{"1,234", "GBP", 123400}, {"1,234,567", "GBP", 123456700}, {"1,5", "GBP", 150},
	} {
		m, err := parseMoney(c.in, c.cur)
		if err != nil || m != (record.Money{Minor: c.want, Currency: c.cur}) {
			t.Errorf("parseMoney(%q, %s) = %+v, %v; want %d", c.in, c.cur, m, err, c.want)
		}
	}
	for _, c := range []struct{ in, cur, msg string }{
		{"", "GBP", "enter an amount"}, {"abc", "GBP", "not an amount"}, {"12.5O", "GBP", "not an amount"},
		{"1,2,3", "GBP", "one decimal mark"}, {"12.345", "GBP", "at most 2 decimals"}, {"-3", "GBP", "negative"},
		{"1.5", "JPY", "whole amounts"}, {"10000000000.01", "GBP", "too large"}, {"99999999999999999999", "GBP", "too large"},
		{"€12", "GBP", "not an amount"}, {"12,3456", "GBP", "at most 2 decimals"},
	} {
		if _, err := parseMoney(c.in, c.cur); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("parseMoney(%q, %s) = %v; want an error saying %q", c.in, c.cur, err, c.msg)
		}
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]int64{"20": 2000, "17,5": 1750, "17.5%": 1750, "0": 0, "100": 10000, "0.01": 1} {
		if got, err := parsePercent(in); err != nil || got != want {
			t.Errorf("parsePercent(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"100.01", "20.001", "twenty", "-5"} {
		if _, err := parsePercent(in); err == nil {
			t.Errorf("parsePercent(%q) accepted", in)
		}
	}
	for bp, want := range map[int64]string{2000: "20", 1750: "17.5", 5: "0.05", 0: "0", 10000: "100", 1234: "12.34"} {
		if got := percentText(bp); got != want {
			t.Errorf("percentText(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct {
		minor     int64
		cur, want string
		plain     string
	}{
		{6440, "GBP", "£64.40", "64.40"}, {5, "EUR", "€0.05", "0.05"}, {123456789, "USD", "$1,234,567.89", "1234567.89"},
		{-500, "GBP", "−£5.00", ""}, {1500, "JPY", "1,500 JPY", "1500"}, {1234, "KWD", "1.234 KWD", "1.234"}, {0, "GBP", "£0.00", "0.00"},
	} {
		if got := formatMoney(c.minor, c.cur); got != c.want {
			t.Errorf("formatMoney(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
		if c.plain == "" {
			continue
		}
		if got := plainAmount(c.minor, c.cur); got != c.plain {
			t.Errorf("plainAmount(%d, %s) = %q, want %q", c.minor, c.cur, got, c.plain)
		}
		// What the form shows reads back as the same amount.
		if m, err := parseMoney(c.plain, c.cur); err != nil || m.Minor != c.minor {
			t.Errorf("parseMoney(plainAmount(%d)) = %+v, %v", c.minor, m, err)
		}
	}
	if got := balanceText(map[string]int64{"GBP": 0, "EUR": -250}); got != "In credit €2.50 · Balance £0.00" {
		t.Errorf("balanceText = %q", got)
	}
}
