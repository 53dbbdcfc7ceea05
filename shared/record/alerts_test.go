package record

import (
	"reflect"
	"testing"
)

func TestAlerts(t *testing.T) {
	for _, tc := range []struct {
		name string
		pet  Pet
		want []Alert
	}{
		{"none", Pet{Name: "Max"}, nil},
		{"all kinds, most urgent first", Pet{
			Name: "Bella", BehaviourFlags: []string{"bites", "dryer_sensitive"}, Medications: []string{"Apoquel"},
			MedicalConditions: []string{"epilepsy"}, Allergies: []string{"chicken", "oatmeal shampoo"},
		}, []Alert{
			{AlertAllergy, "allergy: chicken"}, {AlertAllergy, "allergy: oatmeal shampoo"},
			{AlertMedical, "epilepsy"}, {AlertMedication, "takes Apoquel"},
			{AlertBehaviour, "bites"}, {AlertBehaviour, "dryer sensitive"},
		}},
		{"a flag from a newer app reads as itself", Pet{BehaviourFlags: []string{"hates_hats"}}, []Alert{{AlertBehaviour, "hates_hats"}}},
	} {
		if got := Alerts(&tc.pet); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Alerts = %v, want %v", tc.name, got, tc.want)
		}
	}
}
