package csvimport

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// noneWords say a pet has no allergies or behaviour to note: they are no
// alert, not an allergy to "none".
var noneWords = map[string]bool{
	"none": true, "no": true, "n a": true, "na": true, "nil": true, "nothing": true, "0": true, "false": true,
	"no allergies": true, "no known allergies": true, "none known": true, "nka": true, "nkda": true, "not known": true,
	"unknown": true, "fine": true, "good": true, "ok": true, "no issues": true, "no problems": true, "normal": true,
	"friendly": true, "lovely": true, "good boy": true, "good girl": true, "": true,
}

func isNone(s string) bool { return noneWords[normalise(s)] }

// allergies splits an allergy cell into allergies: "Chicken, beef; wheat".
func allergies(cell string) []string {
	if isNone(cell) {
		return nil
	}
	var out []string
	for _, a := range split(cell, ",;|/\n&+") {
		a = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(a), "allergic to "), "allergy:"))
		if !isNone(a) {
			out = append(out, a)
		}
	}
	return out
}

// behaviourWords maps what people write about a pet's behaviour to the
// flag it means (see record.Pet.BehaviourFlags).
var behaviourWords = map[string]string{
	"bites": "bites", "biter": "bites", "bite": "bites", "bitey": "bites", "may bite": "bites", "will bite": "bites",
	"nips": "bites", "nipper": "bites", "snaps": "bites", "snappy": "bites",
	"anxious": "anxious", "nervous": "anxious", "scared": "anxious", "fearful": "anxious", "shy": "anxious",
	"timid": "anxious", "stressed": "anxious", "anxiety": "anxious", "nervy": "anxious",
	"senior": "senior", "old": "senior", "elderly": "senior", "geriatric": "senior", "old dog": "senior",
	"matting": "matting", "matted": "matting", "mats": "matting", "matts": "matting", "mats easily": "matting",
	"reactive": "reactive", "grumpy": "reactive", "growls": "reactive", "growly": "reactive", "aggressive": "reactive",
	"dog aggressive": "dog_aggressive", "dog reactive": "dog_aggressive", "not good with dogs": "dog_aggressive",
	"noise sensitive": "noise_sensitive", "noise": "noise_sensitive", "noise phobic": "noise_sensitive", "hates noise": "noise_sensitive",
	"dryer sensitive": "dryer_sensitive", "hates dryer": "dryer_sensitive", "hates the dryer": "dryer_sensitive",
	"no dryer": "dryer_sensitive", "hand dry": "dryer_sensitive", "hand dry only": "dryer_sensitive", "dryer": "dryer_sensitive",
	"nail sensitive": "nail_sensitive", "nails": "nail_sensitive", "hates nails": "nail_sensitive", "no nails": "nail_sensitive",
	"hates nail clipping": "nail_sensitive", "nail clipping": "nail_sensitive",
	"escape risk": "escape_risk", "escapes": "escape_risk", "escape artist": "escape_risk", "runner": "escape_risk",
	"bolts": "escape_risk", "flight risk": "escape_risk", "escape": "escape_risk",
	"deaf": "deaf", "hard of hearing": "deaf", "blind": "blind", "partially sighted": "blind",
	"seizures": "seizures", "seizure": "seizures", "epileptic": "seizures", "epilepsy": "seizures", "fits": "seizures",
	"muzzle": "muzzle", "needs muzzle": "muzzle", "muzzled": "muzzle", "needs a muzzle": "muzzle", "wears muzzle": "muzzle",
}

// behaviour reads a behaviour cell: each part a flag knows ("Bites",
// "nervous") becomes that flag; each other part is returned as text, for
// the behaviour notes.
func behaviour(cell string) (flags, rest []string) {
	if isNone(cell) {
		return nil, nil
	}
	for _, part := range split(cell, ",;|/\n&+") {
		if isNone(part) {
			continue
		}
		if f, ok := behaviourWords[normalise(part)]; ok {
			flags = appendNew(flags, f)
			continue
		}
		rest = append(rest, part)
	}
	return flags, rest
}

// intervalRE finds the number of an interval and its unit: "6", "6 weeks",
// "every 6 wks", "4-6 weeks" (the first number: due sooner rather than
// later), "2 months".
var intervalRE = regexp.MustCompile(`^(?:every\s+)?(\d{1,3})(?:\s*(?:-|to)\s*\d{1,3})?\s*(w|wk|wks|week|weeks|weekly|m|mo|mth|mths|month|months|monthly)?$`)

// interval reads a grooming interval in weeks, or false.
func interval(cell string) (int64, bool) {
	s := strings.ToLower(strings.Join(strings.Fields(cell), " "))
	switch s {
	case "weekly", "every week":
		return 1, true
	case "fortnightly", "biweekly", "every other week", "every 2 weeks":
		return 2, true
	case "monthly", "every month":
		return 4, true
	case "quarterly", "every 3 months":
		return 13, true
	}
	m := intervalRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, false
	}
	if strings.HasPrefix(m[2], "m") {
		n = int(math.Round(float64(n) * 52 / 12))
	}
	return int64(n), n >= 1 && n <= 104
}

// splitPetValues splits a cell that holds one value per pet: "Bella &
// Max" born "2019-03-04; 2021-05-06". Commas split only when nothing else
// does, and never a date such as "March 4, 2024".
func splitPetValues(cell string) []string {
	parts := petValueSep.Split(cell, -1)
	if len(parts) == 1 && strings.Contains(cell, ",") && !monthNameRE.MatchString(cell) {
		parts = strings.Split(cell, ",")
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var (
	petValueSep = regexp.MustCompile(`(?i)\s*(?:[;|&+\n]|\band\b)\s*`)
	monthNameRE = regexp.MustCompile(`(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b`)
)

// vaccineName is the vaccine a column's header names: "Rabies expiry" is
// Rabies, "Kennel cough due" is Kennel cough; a header that names none
// ("Vaccinations due") is "Vaccination".
func vaccineName(header string) string {
	var keep []string
	for _, w := range strings.Fields(strings.Map(func(r rune) rune {
		if strings.ContainsRune("()[]:_-/.,", r) {
			return ' '
		}
		return r
	}, header)) {
		if !vaccineNoise[strings.ToLower(w)] {
			keep = append(keep, w)
		}
	}
	if len(keep) == 0 {
		return "Vaccination"
	}
	return truncate(strings.Join(keep, " "), 100)
}

var vaccineNoise = map[string]bool{
	"vaccination": true, "vaccinations": true, "vaccine": true, "vaccines": true, "vacc": true, "vaccs": true, "vax": true,
	"jab": true, "jabs": true, "booster": true, "boosters": true, "vaccinated": true, "due": true, "expiry": true,
	"expires": true, "expiration": true, "exp": true, "until": true, "valid": true, "date": true, "given": true,
	"last": true, "next": true, "on": true, "of": true, "administered": true, "done": true, "renewal": true, "dog": true,
	"dogs": true, "pet": true, "pets": true, "cat": true, "cats": true, "s": true, "up": true, "to": true,
}
