package record

// AlertKind says what a care alert is about; screens colour them by kind.
type AlertKind string

// The kinds of care alert, most urgent first.
const (
	AlertAllergy    AlertKind = "allergy"
	AlertMedical    AlertKind = "medical"
	AlertMedication AlertKind = "medication"
	AlertBehaviour  AlertKind = "behaviour"
)

// Alert is one thing a groomer must know before touching a pet.
type Alert struct {
	Kind AlertKind
	Text string // what the badge says: "allergy: chicken", "bites"
}

// Alerts lists a pet's care alerts, most urgent first: allergies, medical
// conditions, medications, then behaviour flags. Every screen that shows
// a pet shows these, so they are computed once, here.
func Alerts(p *Pet) []Alert {
	var out []Alert
	for _, a := range p.Allergies {
		out = append(out, Alert{AlertAllergy, "allergy: " + a})
	}
	for _, c := range p.MedicalConditions {
		out = append(out, Alert{AlertMedical, c})
	}
	for _, m := range p.Medications {
		out = append(out, Alert{AlertMedication, "takes " + m})
	}
	if len(p.BehaviourFlags) > 0 {
		f, _ := byType[TypePet].Field("behaviour_flags")
		for _, b := range p.BehaviourFlags {
			out = append(out, Alert{AlertBehaviour, f.EnumLabel(b)})
		}
	}
	return out
}
