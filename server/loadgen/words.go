package main

// What a salon's records say, for the generator to pick from. Plausible
// text of realistic lengths matters: it sets the size of every sealed
// version, and so the bytes the benchmarks move.
var (
	firstNames = []string{"Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Grace", "Jack",
		"Sophie", "Leo", "Freya", "Arthur", "Lily", "Oscar", "Ella", "Charlie", "Evie", "Thomas", "Priya", "Tomasz",
		"Aisha", "Mohammed", "Chloe", "Daniel", "Hannah", "Samuel", "Zara", "Joseph"}
	lastNames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
		"Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
		"Clarke", "Kowalski", "Khan", "Murphy", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper"}
	streets = []string{"Church Lane", "Station Road", "Mill Street", "Victoria Road", "Park Avenue", "The Green",
		"Orchard Close", "Manor Way", "Kings Road", "Meadow View", "High Street", "Queens Drive"}
	towns = []string{"Harrogate HG1 2AB", "Knaresborough HG5 0AA", "Ripon HG4 1AA", "Wetherby LS22 6AA",
		"Otley LS21 1AA", "Ilkley LS29 8AA", "Boroughbridge YO51 9AA"}
	clientTags = []string{"vip", "multi-pet", "pays-cash", "rebooks", "new-client", "mobile", "referral", "late"}

	clientPreferences = []string{
		"Prefers morning appointments before work.",
		"Likes a text the day before as a reminder.",
		"Drops off at 9 and collects after lunch.",
		"Please call on arrival, the doorbell is broken.",
		"Happy for any groomer, but Sam knows the dogs best.",
		"Wants photos of the finished groom sent by WhatsApp.",
	}
	clientNotes = []string{
		"Works shifts, so availability changes every week.",
		"Referred by a neighbour on the same street.",
		"Paid a deposit for the Christmas slots.",
		"Parking is tight: the van has to use the lay-by.",
		"Has asked for invoices to go to the work email.",
		"Moving house in the spring; check the address before booking.",
	}

	petNames = []string{"Bella", "Max", "Luna", "Teddy", "Daisy", "Milo", "Poppy", "Alfie", "Coco", "Bailey",
		"Rosie", "Buster", "Willow", "Ollie", "Molly", "Archie", "Maple", "Biscuit", "Pickle", "Ziggy"}
	dogBreeds = []string{"Cockapoo", "Labrador Retriever", "Cocker Spaniel", "Shih Tzu", "Miniature Schnauzer",
		"Bichon Frise", "West Highland Terrier", "Golden Retriever", "Border Terrier", "Cavapoo", "Standard Poodle",
		"Springer Spaniel", "Yorkshire Terrier", "Lhasa Apso", "Old English Sheepdog", "Samoyed"}
	catBreeds = []string{"Persian", "Maine Coon", "British Longhair", "Ragdoll", "Domestic Longhair"}
	coats     = []string{"curly", "double", "wire", "silky", "smooth", "long", "wool"}
	colours   = []string{"apricot", "black", "chocolate", "cream", "white", "black and tan", "blue roan",
		"red", "tricolour", "grey", "golden", "liver and white"}
	allergies   = []string{"chlorhexidine", "oatmeal shampoo", "tea tree oil", "lanolin", "fragranced sprays", "chicken"}
	conditions  = []string{"arthritis in the back legs", "heart murmur", "epilepsy, controlled", "sebaceous cysts", "hip dysplasia", "diabetes"}
	medications = []string{"meloxicam daily", "phenobarbital twice daily", "insulin twice daily", "joint supplement"}
	vets        = []string{"Nidd Vale Vets", "Harrogate Animal Hospital", "Claro Veterinary Practice", "Ripon Farm and Pet Vets"}

	behaviourNotes = []string{
		"Nervous of the dryer: use the low setting and a towel.",
		"Will snap if the back feet are handled; muzzle for nails.",
		"Pulls away from the clippers around the face, go slowly.",
		"Settles well once on the table; hates the bath.",
		"Reactive to other dogs in reception, bring straight through.",
		"Old and stiff: short sessions with breaks to stand down.",
		"Fine for everything, just very wriggly.",
	}
	groomingPreferences = []string{
		"Short all over, longer on the ears and tail.",
		"Teddy bear face, rounded feet, tidy the sanitary area.",
		"Hand strip twice a year, tidy in between.",
		"Keep the length on the legs, owner likes it fluffy.",
		"De-shed and bath only, no clipping.",
		"Eyes cleared, pads trimmed, nails every visit.",
		"Summer cut from June, grow the coat back from October.",
	}
	styles        = []string{"puppy cut", "teddy bear trim", "breed standard", "schnauzer trim", "lamb clip", "kennel clip", "show cut", "bath and tidy"}
	blades        = []string{"#4F", "#5F", "#7F", "#10", "#30 with comb", "3/4 inch comb", "1/2 inch comb"}
	combs         = []string{"A comb", "B comb", "E comb", "slicker and greyhound comb", "snap-on 1 inch", "rake"}
	shampoos      = []string{"hypoallergenic oatmeal-free shampoo", "whitening shampoo", "puppy shampoo", "de-shedding shampoo", "medicated shampoo"}
	products      = []string{"leave-in conditioner", "detangler", "paw balm", "ear cleaner", "coat spray", "dry shampoo"}
	outcomes      = []string{"Finished coat even and matt-free.", "Owner happy with the length.", "Nails short, pads clear.", "Took longer than booked because of matting.", "Booked in again for six weeks."}
	cancelReasons = []string{"Owner unwell.", "Dog at the vet.", "Van broke down.", "Did not answer the door.", "Rebooked for the week after."}

	groomingTitles = []string{"Full groom", "Bath and tidy", "Puppy introduction", "Hand strip", "Nail clip and ears",
		"De-shed treatment", "Full groom and teeth", "Face, feet and tail"}
	trainingTitles = []string{"Puppy class, week 1", "Loose lead walking", "Recall refresher", "Table manners for grooming"}

	visitNotes = []string{
		"Arrived with light matting behind the ears, brushed out with conditioner.",
		"Coat in good condition since the last visit.",
		"Bathed twice, the first wash to lift mud from the walk.",
		"Clipped the body, scissored the legs to blend.",
		"Ears plucked and cleaned, slight redness on the left one: told the owner.",
		"Nails were long; took them back a little at a time.",
		"Anal glands expressed at the owner's request.",
		"Small lump found on the left flank, owner to mention it to the vet.",
		"Very good on the table today, needed two short breaks.",
		"Sprayed the leave-in conditioner and finished with the fluff dryer.",
		"Teeth brushed with enzymatic paste.",
		"Owner asked for a shorter face next time.",
	}
	conditionsOnArrival = []string{"clean, light tangles", "muddy", "matted on the legs and belly", "good", "flea dirt found, owner told", "dry skin, flaky"}
	incidents           = []string{
		"Small nick on the ear flap from the scissors; cleaned, owner told at collection.",
		"Quicked a nail, stopped with styptic powder within a minute.",
		"Slipped the lead in the car park, caught straight away.",
	}
	taskTitles = []string{"Confirm booking by text", "Check vaccination card", "Photo before", "Photo after",
		"Trim nails", "Clean ears", "Book next appointment", "Send invoice", "Ask about flea treatment"}
)
