package record

import "strconv"

// MinorDigits returns how many decimal places the minor unit of an ISO
// 4217 currency has: 2 for most (pence, cents), 0 for currencies without
// a minor unit in use (JPY, KRW, ISK…), 3 for those in thousandths (BHD,
// KWD…). An unknown code reads as 2, the common case.
func MinorDigits(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
		"UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	}
	return 2
}

// Decimal returns the amount in the currency's main unit as an exact
// decimal string, without the currency: "12.50" for 1250 GBP, "-0.05" for
// -5 EUR, "1250" for 1250 JPY. It never goes through floating point.
func (m Money) Decimal() string {
	digits := MinorDigits(m.Currency)
	neg := m.Minor < 0
	u := uint64(m.Minor)
	if neg {
		u = -u // two's complement: exact even for math.MinInt64
	}
	s := strconv.FormatUint(u, 10)
	if digits > 0 {
		for len(s) <= digits {
			s = "0" + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
