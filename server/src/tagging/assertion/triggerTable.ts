// The trigger phrases of the ConText pass, one per line: `property<TAB>category<TAB>phrase`.
//
// Derived from the NegEx and ConText trigger lists of Wendy W. Chapman et al. (https://github.com/chapmanbe/negex:
// negex_triggers.txt, history_triggers.txt, hypothetical_triggers.txt, experiencer_triggers.txt), licensed under the
// Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0); the licence text is in ./NOTICE. Changes:
// the four lists are merged into one table with a property column, and the lines under "added by BioNER" are ours.
//
// Categories (ConText's): PREN a trigger whose scope runs forward, POST one whose scope runs backward (PREP, POSP:
// the same for "possible"), PSEU a pseudo-trigger (a phrase that contains a trigger but is none: "no increase"),
// CONJ a terminator (ends the scope of the property's triggers: "but", "however"), ONEW a forward trigger whose
// scope is only the next few words ("status post CABG"); and ours: TERM a phrase that, inside the entity itself, gives
// the value when neither a trigger nor a section does (a social-history habit, "smoking", "alcohol use", is
// long-standing: historical by ConText's definition, onset more than two weeks before the visit, as under "Social
// history:").
// Properties: negation, historical, hypothetical, experiencer (a trigger makes it "other").
export const TRIGGER_TABLE = `
# negation: negex_triggers.txt
negation	PSEU	no increase
negation	PSEU	no suspicious change
negation	PSEU	no significant change
negation	PSEU	no change
negation	PSEU	no interval change
negation	PSEU	no definite change
negation	PSEU	no significant interval change
negation	PSEU	not extend
negation	PSEU	not cause
negation	PSEU	not drain
negation	PSEU	not certain if
negation	PSEU	not certain whether
negation	PSEU	gram negative
negation	PSEU	without difficulty
negation	PSEU	not necessarily
negation	PSEU	not only
negation	PREN	absence of
negation	PREN	cannot
negation	PREN	cannot see
negation	PREN	checked for
negation	PREN	declined
negation	PREN	declines
negation	PREN	denied
negation	PREN	denies
negation	PREN	denying
negation	PREN	evaluate for
negation	PREN	fails to reveal
negation	PREN	free of
negation	PREN	never developed
negation	PREN	never had
negation	PREN	no
negation	PREN	no abnormal
negation	PREN	no cause of
negation	PREN	no complaints of
negation	PREN	no evidence
negation	PREN	no new evidence
negation	PREN	no other evidence
negation	PREN	no evidence to suggest
negation	PREN	no findings of
negation	PREN	no findings to indicate
negation	PREN	no mammographic evidence of
negation	PREN	no new
negation	PREN	no radiographic evidence of
negation	PREN	no sign of
negation	PREN	no significant
negation	PREN	no signs of
negation	PREN	no suggestion of
negation	PREN	no suspicious
negation	PREN	not
negation	PREN	not appear
negation	PREN	not appreciate
negation	PREN	not associated with
negation	PREN	not complain of
negation	PREN	not demonstrate
negation	PREN	not exhibit
negation	PREN	not feel
negation	PREN	not had
negation	PREN	not have
negation	PREN	not know of
negation	PREN	not known to have
negation	PREN	not reveal
negation	PREN	not see
negation	PREN	not to be
negation	PREN	patient was not
negation	PREN	rather than
negation	PREN	resolved
negation	PREN	test for
negation	PREN	to exclude
negation	PREN	unremarkable for
negation	PREN	with no
negation	PREN	without
negation	PREN	without any evidence of
negation	PREN	without evidence
negation	PREN	without indication of
negation	PREN	without sign of
negation	PREN	rules out
negation	PREN	rules him out
negation	PREN	rules her out
negation	PREN	rules the patient out
negation	PREN	rules out for
negation	PREN	rules him out for
negation	PREN	rules her out for
negation	PREN	rules the patient out for
negation	PREN	ruled out
negation	PREN	ruled him out
negation	PREN	ruled her out
negation	PREN	ruled the patient out
negation	PREN	ruled out for
negation	PREN	ruled him out for
negation	PREN	ruled her out for
negation	PREN	ruled the patient out for
negation	PREN	ruled out against
negation	PREN	ruled him out against
negation	PREN	ruled her out against
negation	PREN	ruled the patient out against
negation	PREN	did rule out
negation	PREN	did rule out for
negation	PREN	did rule out against
negation	PREN	did rule him out
negation	PREN	did rule her out
negation	PREN	did rule the patient out
negation	PREN	did rule him out for
negation	PREN	did rule her out for
negation	PREN	did rule him out against
negation	PREN	did rule her out against
negation	PREN	did rule the patient out for
negation	PREN	did rule the patient out against
negation	PREN	can rule out
negation	PREN	can rule out for
negation	PREN	can rule out against
negation	PREN	can rule him out
negation	PREN	can rule her out
negation	PREN	can rule the patient out
negation	PREN	can rule him out for
negation	PREN	can rule her out for
negation	PREN	can rule the patinet out for
negation	PREN	can rule him out against
negation	PREN	can rule her out against
negation	PREN	can rule the patinet out against
negation	PREN	adequate to rule out
negation	PREN	adequate to rule him out
negation	PREN	adequate to rule her out
negation	PREN	adequate to rule the patient out
negation	PREN	adequate to rule out for
negation	PREN	adequate to rule him out for
negation	PREN	adequate to rule her out for
negation	PREN	adequate to rule the patient out for
negation	PREN	adequate to rule the patient out against
negation	PREN	sufficient to rule out
negation	PREN	sufficient to rule him out
negation	PREN	sufficient to rule her out
negation	PREN	sufficient to rule the patient out
negation	PREN	sufficient to rule out for
negation	PREN	sufficient to rule him out for
negation	PREN	sufficient to rule her out for
negation	PREN	sufficient to rule the patient out for
negation	PREN	sufficient to rule out against
negation	PREN	sufficient to rule him out against
negation	PREN	sufficient to rule her out against
negation	PREN	sufficient to rule the patient out against
negation	PREP	rule out
negation	PREP	r/o
negation	PREP	ro
negation	PREP	rule him out
negation	PREP	rule her out
negation	PREP	rule the patient out
negation	PREP	rule out for
negation	PREP	rule him out for
negation	PREP	rule her out for
negation	PREP	rule the patinet out for
negation	PREP	be ruled out for
negation	PREP	should be ruled out for
negation	PREP	ought to be ruled out for
negation	PREP	may be ruled out for
negation	PREP	might be ruled out for
negation	PREP	could be ruled out for
negation	PREP	will be ruled out for
negation	PREP	can be ruled out for
negation	PREP	must be ruled out for
negation	PREP	is to be ruled out for
negation	PREP	what must be ruled out is
negation	POST	unlikely
negation	POST	free
negation	POST	was ruled out
negation	POST	is ruled out
negation	POST	are ruled out
negation	POST	have been ruled out
negation	POST	has been ruled out
negation	POSP	did not rule out
negation	POSP	not ruled out
negation	POSP	not been ruled out
negation	POSP	being ruled out
negation	POSP	be ruled out
negation	POSP	should be ruled out
negation	POSP	ought to be ruled out
negation	POSP	may be ruled out
negation	POSP	might be ruled out
negation	POSP	could be ruled out
negation	POSP	will be ruled out
negation	POSP	can be ruled out
negation	POSP	must be ruled out
negation	POSP	is to be ruled out
negation	CONJ	but
negation	CONJ	however
negation	CONJ	nevertheless
negation	CONJ	yet
negation	CONJ	though
negation	CONJ	although
negation	CONJ	still
negation	CONJ	aside from
negation	CONJ	except
negation	CONJ	apart from
negation	CONJ	secondary to
negation	CONJ	as the cause of
negation	CONJ	as the source of
negation	CONJ	as the reason of
negation	CONJ	as the etiology of
negation	CONJ	as the origin of
negation	CONJ	as the cause for
negation	CONJ	as the source for
negation	CONJ	as the reason for
negation	CONJ	as the etiology for
negation	CONJ	as the origin for
negation	CONJ	as the secondary cause of
negation	CONJ	as the secondary source of
negation	CONJ	as the secondary reason of
negation	CONJ	as the secondary etiology of
negation	CONJ	as the secondary origin of
negation	CONJ	as the secondary cause for
negation	CONJ	as the secondary source for
negation	CONJ	as the secondary reason for
negation	CONJ	as the secondary etiology for
negation	CONJ	as the secondary origin for
negation	CONJ	as a cause of
negation	CONJ	as a source of
negation	CONJ	as a reason of
negation	CONJ	as a etiology of
negation	CONJ	as a cause for
negation	CONJ	as a source for
negation	CONJ	as a reason for
negation	CONJ	as a etiology for
negation	CONJ	as a secondary cause of
negation	CONJ	as a secondary source of
negation	CONJ	as a secondary reason of
negation	CONJ	as a secondary etiology of
negation	CONJ	as a secondary origin of
negation	CONJ	as a secondary cause for
negation	CONJ	as a secondary source for
negation	CONJ	as a secondary reason for
negation	CONJ	as a secondary etiology for
negation	CONJ	as a secondary origin for
negation	CONJ	as an cause of
negation	CONJ	as an source of
negation	CONJ	as an reason of
negation	CONJ	as an etiology of
negation	CONJ	as an origin of
negation	CONJ	as an cause for
negation	CONJ	as an source for
negation	CONJ	as an reason for
negation	CONJ	as an etiology for
negation	CONJ	as an origin for
negation	CONJ	as an secondary cause of
negation	CONJ	as an secondary source of
negation	CONJ	as an secondary reason of
negation	CONJ	as an secondary etiology of
negation	CONJ	as an secondary origin of
negation	CONJ	as an secondary cause for
negation	CONJ	as an secondary source for
negation	CONJ	as an secondary reason for
negation	CONJ	as an secondary etiology for
negation	CONJ	as an secondary origin for
negation	CONJ	cause of
negation	CONJ	cause for
negation	CONJ	causes of
negation	CONJ	causes for
negation	CONJ	source of
negation	CONJ	source for
negation	CONJ	sources of
negation	CONJ	sources for
negation	CONJ	reason of
negation	CONJ	reason for
negation	CONJ	reasons of
negation	CONJ	reasons for
negation	CONJ	etiology of
negation	CONJ	etiology for
negation	CONJ	trigger event for
negation	CONJ	origin of
negation	CONJ	origin for
negation	CONJ	origins of
negation	CONJ	origins for
negation	CONJ	other possibilities of
# historical: history_triggers.txt
historical	PSEU	history and physical
historical	PSEU	history, physical
historical	PSEU	history taking
historical	PSEU	poor history
historical	PSEU	history and examination
historical	PSEU	history of chief complaint
historical	PSEU	history of present illness
historical	PSEU	social history
historical	PSEU	clinical history
historical	PSEU	patient history
historical	PSEU	day history of
historical	PSEU	by his wife
historical	PSEU	by her husband
historical	PSEU	if negative
historical	PSEU	history from
historical	PSEU	history, and
historical	PSEU	history and
historical	PSEU	know if
historical	PSEU	detailed history
historical	PREN	history
historical	PREN	known to have
historical	PREN	experiences
historical	PREN	in the past for
historical	ONEW	pre-existing
historical	ONEW	status post
historical	ONEW	s/p
historical	ONEW	prior
historical	CONJ	sudden onset of
historical	CONJ	presented
historical	CONJ	presents
historical	CONJ	presenting
historical	CONJ	complains
historical	CONJ	complaining
historical	CONJ	coming in with
historical	CONJ	comes in with
historical	CONJ	was found
historical	CONJ	states
historical	CONJ	reports
historical	CONJ	reported
historical	CONJ	currently
historical	CONJ	today
historical	CONJ	noted
historical	CONJ	consistent with
historical	CONJ	ED
historical	CONJ	emergency department
historical	CONJ	recent
# hypothetical: hypothetical_triggers.txt
hypothetical	PSEU	by his wife
hypothetical	PSEU	by her husband
hypothetical	PSEU	if negative
hypothetical	PSEU	know if
hypothetical	PREN	if
hypothetical	PREN	return
hypothetical	PREN	returning
hypothetical	PREN	should he
hypothetical	PREN	should she
hypothetical	PREN	call
hypothetical	PREN	should there
hypothetical	PREN	should the
hypothetical	PREN	as needed
hypothetical	PREN	come back for
hypothetical	PREN	come back to
hypothetical	PREN	look out for
hypothetical	CONJ	diagnosis
hypothetical	CONJ	patient
hypothetical	CONJ	who
hypothetical	CONJ	his
hypothetical	CONJ	her
hypothetical	CONJ	patient's
hypothetical	CONJ	since
hypothetical	CONJ	because
# experiencer: experiencer_triggers.txt
experiencer	PSEU	by his wife
experiencer	PSEU	by her husband
experiencer	PSEU	know if
experiencer	PREN	mom
experiencer	PREN	dad
experiencer	PREN	sister
experiencer	PREN	brother
experiencer	PREN	roommate
experiencer	PREN	aunt
experiencer	PREN	uncle
experiencer	PREN	grandfather
experiencer	PREN	grandmother
experiencer	PREN	husband
experiencer	PREN	wife
experiencer	PREN	father's
experiencer	PREN	mother's
experiencer	PREN	mom's
experiencer	PREN	dad's
experiencer	PREN	sister's
experiencer	PREN	brother's
experiencer	PREN	roommate's
experiencer	PREN	aunt's
experiencer	PREN	uncle's
experiencer	PREN	grandfather's
experiencer	PREN	grandmother's
experiencer	PREN	husband's
experiencer	PREN	wife's
experiencer	PREN	family history
experiencer	CONJ	patient
experiencer	CONJ	who
experiencer	CONJ	his
experiencer	CONJ	her
experiencer	CONJ	patient's
experiencer	CONJ	presented
experiencer	CONJ	presents
experiencer	CONJ	presenting
experiencer	CONJ	complains
experiencer	CONJ	complaining
experiencer	CONJ	coming in with
experiencer	CONJ	comes in with
experiencer	CONJ	was found
experiencer	CONJ	states
experiencer	CONJ	stated
experiencer	CONJ	reports
experiencer	CONJ	reported
experiencer	CONJ	currently
experiencer	CONJ	today
experiencer	CONJ	noted
experiencer	CONJ	which
# added by BioNER
negation	PSEU	without contrast
negation	PSEU	with and without contrast
negation	POST	resolved
negation	POST	has resolved
negation	POST	have resolved
negation	POST	had resolved
negation	PREN	-ve for
negation	PREN	negative for
negation	CONJ	positive for
historical	PREN	past medical history
historical	PREN	past history
historical	PREN	medical history
historical	PREN	pmh
historical	PREN	pmhx
historical	PREN	hx
historical	PREN	h/o
historical	PREN	in the past
historical	PSEU	in the past day
historical	PSEU	in the past week
historical	PSEU	in the past few days
historical	PSEU	in the past several days
historical	PSEU	in the past few hours
historical	PSEU	in the past 24 hours
historical	PSEU	in the past 48 hours
historical	PSEU	in the past 72 hours
historical	PREN	years ago
historical	POST	years ago
historical	PREN	year ago
historical	POST	year ago
historical	PREN	months ago
historical	POST	months ago
historical	PREN	month ago
historical	POST	month ago
historical	PREN	at age
historical	POST	at age
historical	PREN	at the age of
historical	POST	at the age of
historical	POST	the last time
historical	POST	last time
historical	TERM	tobacco
historical	TERM	smoking
historical	TERM	smoker
historical	TERM	cigarettes
historical	TERM	alcohol
historical	TERM	etoh
historical	TERM	drugs
historical	TERM	drug use
historical	TERM	drug abuse
historical	TERM	substance use
historical	TERM	substance abuse
historical	TERM	ivdu
historical	ONEW	old
historical	ONEW	previous
historical	ONEW	former
historical	ONEW	known
historical	POST	in the past
historical	POST	history
historical	POST	who presents
historical	POST	who presented
historical	CONJ	who presents
historical	CONJ	who presented
historical	CONJ	admitted
historical	CONJ	transferred
historical	CONJ	coming in
experiencer	PREN	mother
experiencer	PREN	father
experiencer	PREN	parents
experiencer	PREN	son
experiencer	PREN	daughter
experiencer	PREN	sibling
experiencer	PREN	siblings
experiencer	PREN	sisters
experiencer	PREN	brothers
experiencer	PREN	cousin
experiencer	PREN	grandparents
experiencer	PREN	family member
experiencer	PREN	family members
experiencer	PREN	fh
experiencer	PREN	family hx
`;
