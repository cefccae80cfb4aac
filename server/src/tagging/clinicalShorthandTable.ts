// The clinical shorthand table: common abbreviations of clinical notes, what they stand for, and the entity label
// each sense implies. Read by clinicalShorthand.ts.
//
// Sources: written for BioNER by hand from the standard meanings of abbreviations common in English-language
// discharge summaries, progress notes and medication lists (the senses every general medical abbreviation reference
// gives; the MS = morphine sulfate / multiple sclerosis / mitral stenosis confusion is the one the Joint Commission's
// "Do Not Use" list and ISMP's list of error-prone abbreviations warn about). No published list was copied. It holds
// abbreviations and clipped forms with their expansions only: no new drug or disease names.
//
// Columns (tab-separated; `#` starts a comment line):
//   short      as written; matched case-sensitively as a whole word ("MS" never matches "Ms.")
//   expansion  what it stands for (shown on hover: "HTN — hypertension")
//   label      DISEASE (diseases, disorders, symptoms and findings, as BC5CDR's Disease type), DRUG (drugs and
//              chemicals, BC5CDR's Chemical type), or - (names no entity; kept so that the sense is known)
//   tags       optional, space-separated:
//                anycase  also matched in lower case ("htn", "copd")
//   A DISEASE sense whose short form ends in a capital or a digit is also matched in the plural with a lower-case
//   "s" ("CVAs"; in capitals, "DOES" would be the verb); a row for the plural itself, as "UTIs" below, gives its own
//   expansion.
//                dose     this sense when a dose, route, frequency or "insulin" follows, or in a medication section
//                cardiac  this sense when the sentence speaks of the heart (valve, murmur, echo, ...)
//                air      this sense after "on" or a percentage ("SpO2 95% on RA")
// Several rows with the same short form are its senses: the model's label on the span picks among them, then the
// first sense whose tag holds, then the first sense without a tag (none: the short form is left alone). A sense
// that names no entity removes the model's entity ("follow up with PCP" is the primary care physician, not
// Pneumocystis pneumonia, far more often in notes).
// Short forms that are also common English words in upper case (AS, ALL, CAP, HIT, MG, MM, PAD, ...) are left out:
// upper-case notes would match them everywhere. So are those that name something else in abstracts (HA: hyaluronic
// acid, PAF: platelet-activating factor; HIV names the virus, BC5CDR annotates "HIV infection") and drug classes that
// BC5CDR does not annotate (NSAIDs).
export const CLINICAL_SHORTHAND_TSV = `
# Cardiovascular
HTN	hypertension	DISEASE	anycase
HoTN	hypotension	DISEASE
pHTN	pulmonary hypertension	DISEASE
PAH	pulmonary arterial hypertension	DISEASE
CAD	coronary artery disease	DISEASE
CHD	coronary heart disease	DISEASE
CHF	congestive heart failure	DISEASE	anycase
HF	heart failure	DISEASE
HFrEF	heart failure with reduced ejection fraction	DISEASE	anycase
HFpEF	heart failure with preserved ejection fraction	DISEASE	anycase
MI	myocardial infarction	DISEASE
AMI	acute myocardial infarction	DISEASE
STEMI	ST-elevation myocardial infarction	DISEASE	anycase
NSTEMI	non-ST-elevation myocardial infarction	DISEASE	anycase
ACS	acute coronary syndrome	DISEASE
UA	unstable angina	DISEASE	cardiac
UA	urinalysis	-
AF	atrial fibrillation	DISEASE
AFib	atrial fibrillation	DISEASE	anycase
A-fib	atrial fibrillation	DISEASE	anycase
A fib	atrial fibrillation	DISEASE	anycase
AFL	atrial flutter	DISEASE
SVT	supraventricular tachycardia	DISEASE
VT	ventricular tachycardia	DISEASE
VTach	ventricular tachycardia	DISEASE	anycase
VF	ventricular fibrillation	DISEASE
VFib	ventricular fibrillation	DISEASE	anycase
PSVT	paroxysmal supraventricular tachycardia	DISEASE
CHB	complete heart block	DISEASE
LBBB	left bundle branch block	DISEASE
RBBB	right bundle branch block	DISEASE
SSS	sick sinus syndrome	DISEASE
WPW	Wolff-Parkinson-White syndrome	DISEASE
HOCM	hypertrophic obstructive cardiomyopathy	DISEASE
HCM	hypertrophic cardiomyopathy	DISEASE
DCM	dilated cardiomyopathy	DISEASE
NICM	non-ischemic cardiomyopathy	DISEASE
ICMP	ischemic cardiomyopathy	DISEASE
LVH	left ventricular hypertrophy	DISEASE
MS	morphine sulfate	DRUG	dose
MS	mitral stenosis	DISEASE	cardiac
MS	multiple sclerosis	DISEASE
MR	mitral regurgitation	DISEASE	cardiac
AR	aortic regurgitation	DISEASE	cardiac
TR	tricuspid regurgitation	DISEASE	cardiac
AI	aortic insufficiency	DISEASE	cardiac
MVP	mitral valve prolapse	DISEASE
PFO	patent foramen ovale	DISEASE
ASD	atrial septal defect	DISEASE	cardiac
ASD	autism spectrum disorder	DISEASE
VSD	ventricular septal defect	DISEASE
PDA	patent ductus arteriosus	DISEASE
PVD	peripheral vascular disease	DISEASE
AAA	abdominal aortic aneurysm	DISEASE
DVT	deep vein thrombosis	DISEASE	anycase
PE	pulmonary embolism	DISEASE
VTE	venous thromboembolism	DISEASE
HLD	hyperlipidemia	DISEASE
CVA	cerebrovascular accident	DISEASE
TIA	transient ischemic attack	DISEASE
PVCs	premature ventricular contractions	DISEASE
CP	chest pain	DISEASE
SOB	shortness of breath	DISEASE
DOE	dyspnea on exertion	DISEASE
PND	paroxysmal nocturnal dyspnea	DISEASE
JVD	jugular venous distension	DISEASE
# Pulmonary
COPD	chronic obstructive pulmonary disease	DISEASE	anycase
OSA	obstructive sleep apnea	DISEASE
ARDS	acute respiratory distress syndrome	DISEASE
PNA	pneumonia	DISEASE
HCAP	healthcare-associated pneumonia	DISEASE
VAP	ventilator-associated pneumonia	DISEASE
HAP	hospital-acquired pneumonia	DISEASE
PTX	paclitaxel	DRUG	dose
PTX	pneumothorax	DISEASE
ILD	interstitial lung disease	DISEASE
IPF	idiopathic pulmonary fibrosis	DISEASE
CF	cystic fibrosis	DISEASE
TB	tuberculosis	DISEASE
URI	upper respiratory infection	DISEASE
RAD	reactive airway disease	DISEASE
# Infectious disease
UTI	urinary tract infection	DISEASE	anycase
UTIs	urinary tract infections	DISEASE	anycase
CAUTI	catheter-associated urinary tract infection	DISEASE
AIDS	acquired immunodeficiency syndrome	DISEASE
HCV	hepatitis C	DISEASE
HBV	hepatitis B	DISEASE
CDI	Clostridioides difficile infection	DISEASE
SBE	subacute bacterial endocarditis	DISEASE
IE	infective endocarditis	DISEASE
SSTI	skin and soft tissue infection	DISEASE
PID	pelvic inflammatory disease	DISEASE
STI	sexually transmitted infection	DISEASE
STD	sexually transmitted disease	DISEASE
OM	otitis media	DISEASE
SIRS	systemic inflammatory response syndrome	DISEASE
PCP	primary care physician	-
# Gastrointestinal and liver
GERD	gastroesophageal reflux disease	DISEASE	anycase
PUD	peptic ulcer disease	DISEASE
GIB	gastrointestinal bleeding	DISEASE
UGIB	upper gastrointestinal bleeding	DISEASE
LGIB	lower gastrointestinal bleeding	DISEASE
SBO	small bowel obstruction	DISEASE
LBO	large bowel obstruction	DISEASE
IBD	inflammatory bowel disease	DISEASE
IBS	irritable bowel syndrome	DISEASE
UC	ulcerative colitis	DISEASE
NASH	nonalcoholic steatohepatitis	DISEASE
NAFLD	nonalcoholic fatty liver disease	DISEASE
ESLD	end-stage liver disease	DISEASE
HRS	hepatorenal syndrome	DISEASE
SBP	systolic blood pressure	-
N/V	nausea and vomiting	DISEASE	anycase
N/V/D	nausea, vomiting and diarrhea	DISEASE	anycase
BRBPR	bright red blood per rectum	DISEASE
HSM	hepatosplenomegaly	DISEASE
# Renal and genitourinary
AKI	acute kidney injury	DISEASE
ARF	acute renal failure	DISEASE
CKD	chronic kidney disease	DISEASE	anycase
ESRD	end-stage renal disease	DISEASE	anycase
ATN	acute tubular necrosis	DISEASE
RTA	renal tubular acidosis	DISEASE
BPH	benign prostatic hyperplasia	DISEASE
# Endocrine and metabolic
DM	diabetes mellitus	DISEASE
DM1	type 1 diabetes mellitus	DISEASE	anycase
DM2	type 2 diabetes mellitus	DISEASE	anycase
DMI	type 1 diabetes mellitus	DISEASE
DMII	type 2 diabetes mellitus	DISEASE
T1DM	type 1 diabetes mellitus	DISEASE	anycase
T2DM	type 2 diabetes mellitus	DISEASE	anycase
IDDM	insulin-dependent diabetes mellitus	DISEASE
NIDDM	non-insulin-dependent diabetes mellitus	DISEASE
GDM	gestational diabetes mellitus	DISEASE
DKA	diabetic ketoacidosis	DISEASE
HHNK	hyperosmolar hyperglycemic nonketotic state	DISEASE
hypoK	hypokalemia	DISEASE
hyperK	hyperkalemia	DISEASE
hypoNa	hyponatremia	DISEASE
# Neurological
MCI	mild cognitive impairment	DISEASE
ALS	amyotrophic lateral sclerosis	DISEASE
NPH	NPH insulin (isophane insulin)	DRUG	dose
NPH	normal pressure hydrocephalus	DISEASE
SAH	subarachnoid hemorrhage	DISEASE
ICH	intracerebral hemorrhage	DISEASE
SDH	subdural hematoma	DISEASE
EDH	epidural hematoma	DISEASE
TBI	traumatic brain injury	DISEASE
SZ	seizure	DISEASE
Sz	seizure	DISEASE
LOC	loss of consciousness	DISEASE
AMS	altered mental status	DISEASE
# Hematology and oncology
ITP	immune thrombocytopenia	DISEASE
TTP	thrombotic thrombocytopenic purpura	DISEASE
DIC	disseminated intravascular coagulation	DISEASE
IDA	iron deficiency anemia	DISEASE
AML	acute myeloid leukemia	DISEASE
CML	chronic myeloid leukemia	DISEASE
CLL	chronic lymphocytic leukemia	DISEASE
MDS	myelodysplastic syndrome	DISEASE
NHL	non-Hodgkin lymphoma	DISEASE
BrCa	breast cancer	DISEASE
CRC	colorectal cancer	DISEASE
NSCLC	non-small cell lung cancer	DISEASE
SCLC	small cell lung cancer	DISEASE
RCC	renal cell carcinoma	DISEASE
HCC	hepatocellular carcinoma	DISEASE
GBM	glioblastoma multiforme	DISEASE
BCC	basal cell carcinoma	DISEASE
SCC	squamous cell carcinoma	DISEASE
DCIS	ductal carcinoma in situ	DISEASE
# Musculoskeletal and rheumatology
OA	osteoarthritis	DISEASE
RA	room air	-	air
RA	rheumatoid arthritis	DISEASE
SLE	systemic lupus erythematosus	DISEASE
DJD	degenerative joint disease	DISEASE
PMR	polymyalgia rheumatica	DISEASE
GCA	giant cell arteritis	DISEASE
CTS	carpal tunnel syndrome	DISEASE
Fx	fracture	DISEASE
# Psychiatric and substance use
MDD	major depressive disorder	DISEASE
BPAD	bipolar affective disorder	DISEASE
PTSD	post-traumatic stress disorder	DISEASE	anycase
ADHD	attention deficit hyperactivity disorder	DISEASE	anycase
OCD	obsessive-compulsive disorder	DISEASE
GAD	generalized anxiety disorder	DISEASE
SI	suicidal ideation	DISEASE
AVH	auditory and visual hallucinations	DISEASE
AUD	alcohol use disorder	DISEASE
OUD	opioid use disorder	DISEASE
SUD	substance use disorder	DISEASE
IVDU	intravenous drug use	DISEASE
# Obstetrics
PIH	pregnancy-induced hypertension	DISEASE
PPH	postpartum hemorrhage	DISEASE
IUGR	intrauterine growth restriction	DISEASE
# Drugs and chemicals
ASA	aspirin (acetylsalicylic acid)	DRUG	anycase
APAP	acetaminophen (N-acetyl-p-aminophenol)	DRUG	anycase
HCTZ	hydrochlorothiazide	DRUG	anycase
NTG	nitroglycerin	DRUG	anycase
nitro	nitroglycerin	DRUG	anycase
ISMN	isosorbide mononitrate	DRUG
ISDN	isosorbide dinitrate	DRUG
MSO4	morphine sulfate	DRUG
MSIR	morphine sulfate immediate release	DRUG
MgSO4	magnesium sulfate	DRUG
Mg	magnesium	DRUG
KCl	potassium chloride	DRUG
KCL	potassium chloride	DRUG
NaCl	sodium chloride	DRUG
NaHCO3	sodium bicarbonate	DRUG
bicarb	sodium bicarbonate	DRUG	anycase
CaCO3	calcium carbonate	DRUG
FeSO4	ferrous sulfate	DRUG
NS	normal saline (sodium chloride 0.9%)	DRUG	dose
LR	lactated Ringer's solution	DRUG	dose
D5W	dextrose 5% in water	DRUG
D50	dextrose 50%	DRUG
LMWH	low-molecular-weight heparin	DRUG
UFH	unfractionated heparin	DRUG
tPA	tissue plasminogen activator (alteplase)	DRUG
TPA	tissue plasminogen activator (alteplase)	DRUG
rtPA	recombinant tissue plasminogen activator (alteplase)	DRUG
TXA	tranexamic acid	DRUG
NAC	N-acetylcysteine	DRUG
INH	isoniazid	DRUG
RIF	rifampin	DRUG
PZA	pyrazinamide	DRUG
EMB	ethambutol	DRUG
PCN	penicillin	DRUG
TMP-SMX	trimethoprim-sulfamethoxazole	DRUG
TMP/SMX	trimethoprim-sulfamethoxazole	DRUG
SMX-TMP	sulfamethoxazole-trimethoprim	DRUG
vanc	vancomycin	DRUG	anycase
vanco	vancomycin	DRUG	anycase
cipro	ciprofloxacin	DRUG	anycase
amio	amiodarone	DRUG	anycase
epi	epinephrine	DRUG	anycase
MTX	methotrexate	DRUG
CYC	cyclophosphamide	DRUG
AZA	azathioprine	DRUG
6-MP	6-mercaptopurine	DRUG
HCQ	hydroxychloroquine	DRUG
MMF	mycophenolate mofetil	DRUG
CsA	cyclosporine A	DRUG
IVIG	intravenous immunoglobulin	DRUG
EPO	erythropoietin	DRUG
G-CSF	granulocyte colony-stimulating factor	DRUG
ATRA	all-trans retinoic acid	DRUG
5-ASA	5-aminosalicylic acid (mesalamine)	DRUG
DDAVP	desmopressin	DRUG
PTU	propylthiouracil	DRUG
MMI	methimazole	DRUG
LT4	levothyroxine	DRUG
DHE	dihydroergotamine	DRUG
AZT	zidovudine	DRUG
OCP	oral contraceptive pill	DRUG
OCPs	oral contraceptive pills	DRUG
SSRI	selective serotonin reuptake inhibitor	DRUG
SSRIs	selective serotonin reuptake inhibitors	DRUG
TCA	tricyclic antidepressant	DRUG
TCAs	tricyclic antidepressants	DRUG
MAOI	monoamine oxidase inhibitor	DRUG
MAOIs	monoamine oxidase inhibitors	DRUG
BZD	benzodiazepine	DRUG
EtOH	ethanol (alcohol)	DRUG
ETOH	ethanol (alcohol)	DRUG
THC	tetrahydrocannabinol	DRUG
MDMA	3,4-methylenedioxymethamphetamine	DRUG
LSD	lysergic acid diethylamide	DRUG
GHB	gamma-hydroxybutyrate	DRUG
# No entity: kept for their meaning (and so that passes can read them)
h/o	history of	-
s/p	status post	-
c/o	complains of	-
r/o	rule out	-
w/	with	-
w/o	without	-
NKDA	no known drug allergies	-
NKA	no known allergies	-
NAD	no acute distress	-
PRN	as needed	-
prn	as needed	-
PO	by mouth	-
BID	twice a day	-
TID	three times a day	-
QID	four times a day	-
QHS	at bedtime	-
SQ	subcutaneous	-
SL	sublingual	-
`;
