"""Demonstration content for the `seed-demo` command: people, posts and a threaded discussion.

Pure data: nothing here touches the database or the app. All names are invented, every email
address uses the reserved example.org domain, and the medical text is general information
written for this demo in plain language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    key: str  # internal handle, e.g. "admin"
    email: str  # always @example.org
    display_name: str  # pseudonym for patients and caregivers; real-looking names for staff
    role: str  # "admin" | "clinician" | "patient" | "caregiver"
    title: str = ""  # clinicians only, e.g. "Consultant Neurologist"
    specialty: str = ""  # clinicians only
    bio: str = ""  # clinicians only: two or three sentences


@dataclass(frozen=True)
class DemoComment:
    author: str  # DemoUser.key
    body: str  # Markdown, as a user would type it
    status: str = "approved"  # "approved" | "pending"
    replies: tuple[DemoComment, ...] = ()


@dataclass(frozen=True)
class DemoPost:
    slug: str
    title: str
    author: str  # DemoUser.key of a clinician
    summary: str  # one or two sentences
    body: str  # Markdown: headings, lists, emphasis and links; no images, no raw HTML
    references: str  # Markdown list
    tags: tuple[str, ...]  # treatment names, lower case
    days_ago: int  # how long ago the post was published
    comments: tuple[DemoComment, ...] = ()


# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------

USERS: tuple[DemoUser, ...] = (
    DemoUser(
        key="admin",
        email="admin@example.org",
        display_name="Community team",
        role="admin",
    ),
    DemoUser(
        key="neurologist",
        email="helen.marsh@example.org",
        display_name="Helen Marsh",
        role="clinician",
        title="Consultant Neurologist",
        specialty="Multiple sclerosis",
        bio=(
            "Helen is a consultant neurologist who has run a multiple sclerosis clinic for over "
            "fifteen years. She is interested in helping people weigh up the benefits and risks "
            "of disease-modifying treatments in a way that fits their own priorities. Outside "
            "work she is usually found on a hill with a flask of tea."
        ),
    ),
    DemoUser(
        key="nurse",
        email="sam.okafor@example.org",
        display_name="Sam Okafor",
        role="clinician",
        title="MS Specialist Nurse",
        specialty="Multiple sclerosis: infusion treatments and monitoring",
        bio=(
            "Sam is an MS specialist nurse who supports people through infusion treatments and "
            "the monitoring that follows them. Before joining the MS team he worked on a "
            "neurology ward. He cares most about making appointments, blood tests and side "
            "effects feel manageable rather than overwhelming."
        ),
    ),
    DemoUser(
        key="riverwalker",
        email="riverwalker@example.org",
        display_name="RiverWalker",
        role="patient",
    ),
    DemoUser(
        key="bluefinch",
        email="bluefinch@example.org",
        display_name="BlueFinch",
        role="patient",
    ),
    DemoUser(
        key="newleaf",
        email="newleaf@example.org",
        display_name="NewLeaf42",
        role="patient",
    ),
    DemoUser(
        key="steadyhand",
        email="steadyhand@example.org",
        display_name="SteadyHand",
        role="caregiver",
    ),
    DemoUser(
        key="morningtide",
        email="morningtide@example.org",
        display_name="MorningTide",
        role="caregiver",
    ),
)


# --------------------------------------------------------------------------------------------
# Post 1: alemtuzumab, long-term evidence
# --------------------------------------------------------------------------------------------

_ALEMTUZUMAB_BODY = """
*This is general information to help you prepare for conversations with your own MS team. It
is not advice about your treatment.*

## What alemtuzumab is and how it is given

Alemtuzumab is a disease-modifying treatment for relapsing-remitting MS. It is an antibody that
clears many of the white blood cells (lymphocytes) involved in MS attacks from the
bloodstream. The immune system then rebuilds itself over the following months, and for many
people it seems to come back less inclined to attack the brain and spinal cord.

Unlike treatments taken every day or every few months, alemtuzumab is given as **two short
courses**, by drip in hospital:

- **First course:** one infusion a day for five days in a row.
- **Second course:** one infusion a day for three days in a row, about a year later.

After that there is no regular dosing. What carries on is **monitoring** (see below).

## What the longer-term studies found

Two large two-year trials, CARE-MS I and CARE-MS II, compared alemtuzumab with interferon
beta-1a. Most participants then joined extension studies, and a review by Ziemssen and Thomas
brings the results together up to about six years. In broad terms:

- **Relapses stayed uncommon.** The yearly relapse rate generally stayed low through year six,
  even though most people had no further treatment.
- **Disability was usually stable, and sometimes improved.** Most participants had no confirmed
  worsening of disability over six years, and a meaningful minority improved.
- **Brain shrinkage slowed.** Everyone's brain loses a little volume with age, and MS can speed
  this up. After the first year, the yearly loss seen on MRI was small.
- **Most people needed only the two courses.** More than half needed no third course or other
  treatment during follow-up. Some had extra courses, usually because of new relapses or new
  activity on MRI.

Some caution is sensible. Extension studies have no comparison group, and people who leave a
study may differ from those who stay. Results from everyday clinics have broadly matched the
trials. Above all, these findings describe groups; they cannot predict how any one person
will respond.

## The risks, and why they are taken seriously

### Infusion reactions

Most people have some reaction during or shortly after an infusion, such as headache, rash,
flushing, a temperature or nausea. Steroids and other medicines are given beforehand to reduce
these. Rarely, more serious problems such as a stroke or heart trouble have been reported in
the days around an infusion, so teams ask you to report new symptoms straight away.

### Autoimmune conditions that can appear later

As the immune system rebuilds, it sometimes turns against other parts of the body, months or
even years after the last course.

- **Thyroid disease** is the most common: in the long-term studies roughly a third or more of
  people developed an overactive or underactive thyroid. It is usually treatable with standard
  medicines, but it needs to be picked up.
- **Immune thrombocytopenia (ITP)** is a fall in platelets, the cells that help blood to clot.
  It affected a few people in every hundred. Warning signs include easy bruising, tiny red or
  purple spots on the skin, bleeding gums, nosebleeds that are hard to stop, or unusually heavy
  periods.
- **Kidney disease**, such as anti-GBM disease, is rare but serious. Blood in the urine or
  swelling of the legs or face can be clues.

Other autoimmune problems, for example affecting the liver, have been reported but are uncommon.

### Infections

Infections are more likely in the months after each course. Cold sores and shingles (herpes
viruses) are among the most common, so an antiviral tablet is usually prescribed for at least
the first month. **Listeria**, a bacterium found in some foods, is a rare but important risk,
so people are asked to avoid foods such as unpasteurised dairy, soft cheeses, pâté, and raw or
undercooked meat and fish for a while before and after each course. Your team will tell you
exactly what and for how long.

## Monthly monitoring: what it is and why it matters

Monitoring usually continues **every month for four years (48 months) after the last course**:

- a **full blood count**, checking platelets for early signs of ITP;
- a **kidney blood test** (creatinine) and a **urine test**, looking for early kidney
  inflammation;
- **thyroid tests**, usually every three months.

That can feel like a lot. The reason is simple: these conditions are much easier to treat when
caught early, often before you notice anything. If you are likely to miss a test, because of a
holiday for example, talk to your team in advance rather than skipping it.

## Questions to ask your team

- Why might alemtuzumab suit me, and what are the alternatives?
- How will the monthly tests be arranged, and who looks at the results?
- Which symptoms should make me contact you straight away, and who do I call out of hours?
- How long should I follow the food advice and take the antiviral tablets?
- What do I need to know about contraception and planning a pregnancy?
- What happens if my MS becomes active again after the two courses?
""".strip()

_ALEMTUZUMAB_REFERENCES = """
- Ziemssen T, Thomas K. Alemtuzumab in the long-term treatment of relapsing-remitting multiple
  sclerosis: an update on the clinical trial evidence and data from the real world.
  *Ther Adv Neurol Disord.* 2017;10(10):343-359.
- Cohen JA, Coles AJ, Arnold DL, et al. Alemtuzumab versus interferon beta 1a as first-line
  treatment for patients with relapsing-remitting multiple sclerosis: a randomised controlled
  phase 3 trial. *Lancet.* 2012;380(9856):1819-1828.
- Coles AJ, Twyman CL, Arnold DL, et al. Alemtuzumab for patients with relapsing multiple
  sclerosis after disease-modifying therapy: a randomised controlled phase 3 trial.
  *Lancet.* 2012;380(9856):1829-1839.
""".strip()

_ALEMTUZUMAB_COMMENTS: tuple[DemoComment, ...] = (
    # 1. Thyroid checks: answered by the nurse, a patient shares experience, one reply held.
    DemoComment(
        author="riverwalker",
        body=(
            "I finished my second course about 18 months ago. My thyroid results have all been "
            "normal so far, but I keep reading that thyroid problems can turn up years later. "
            "Does the risk ever go away, or do I just keep watching for it?"
        ),
        replies=(
            DemoComment(
                author="nurse",
                body=(
                    "That's a really common question, and you're right that thyroid problems can "
                    "appear some time after treatment. In the long-term studies new cases were "
                    "most frequent around the third year, but they can come later too. That's "
                    "the main reason thyroid checks carry on every three months through the "
                    "monitoring period.\n\n"
                    "Things worth mentioning to your team between tests:\n\n"
                    "- feeling unusually hot or cold, shaky, or having a racing heartbeat\n"
                    "- weight change you can't explain\n"
                    "- a swelling at the front of your neck\n"
                    "- changes in mood or energy that don't feel like your usual MS\n\n"
                    "Your own team can tell you what they do once the formal monitoring ends, "
                    "as practice varies a little between centres."
                ),
                replies=(
                    DemoComment(
                        author="bluefinch",
                        body=(
                            "For what it's worth, mine became overactive about two and a half "
                            "years after course 2. I felt jittery and couldn't sleep, and "
                            "honestly put it down to stress. It was picked up on a routine test "
                            "before I'd said anything. A few months of tablets and it has "
                            "settled, so the checks really do their job."
                        ),
                        replies=(
                            DemoComment(
                                author="riverwalker",
                                body=(
                                    "That's really reassuring, thank you. I'll try to stop "
                                    "dreading every results letter!"
                                ),
                            ),
                        ),
                    ),
                    DemoComment(
                        author="newleaf",
                        status="pending",
                        body=(
                            "Does *everyone* get thyroid problems in the end? A friend told me "
                            "it's basically guaranteed."
                        ),
                    ),
                ),
            ),
        ),
    ),
    # 2. Planning a pregnancy: answered by the neurologist.
    DemoComment(
        author="bluefinch",
        body=(
            "My partner and I would like to try for a baby in the next couple of years. I had my "
            "second course last spring. Is there a “safe” time to start trying, and does the "
            "monitoring stop if I get pregnant?"
        ),
        replies=(
            DemoComment(
                author="neurologist",
                body=(
                    "Thank you for raising this early; planning ahead really does help. I can "
                    "only talk in general terms here, and the timing for you is something to "
                    "work out with your own neurologist and MS nurse.\n\n"
                    "In general:\n\n"
                    "- The usual advice is to use effective contraception during each course "
                    "and for **four months** afterwards.\n"
                    "- Monitoring normally **carries on during pregnancy**, and your team will "
                    "want to know as soon as you are pregnant or trying.\n"
                    "- Thyroid function matters a great deal in pregnancy, for both parent and "
                    "baby, so any thyroid problem needs to be well controlled. That's another "
                    "reason to involve your team before you start trying.\n\n"
                    "A planning appointment with your MS team, and your GP or maternity team, "
                    "is a good way to make sure everyone is working from the same plan."
                ),
                replies=(
                    DemoComment(
                        author="bluefinch",
                        body=(
                            "That's really helpful, thank you. I'll ask for a planning "
                            "appointment at my next review."
                        ),
                    ),
                ),
            ),
        ),
    ),
    # 3. Food safety and listeria: answered by the nurse, with a link.
    DemoComment(
        author="morningtide",
        body=(
            "My daughter starts her first course next month and I do most of the cooking at "
            "home. What exactly should I avoid making for her, and for how long? I really don't "
            "want to get this wrong."
        ),
        replies=(
            DemoComment(
                author="nurse",
                body=(
                    "It's lovely that you're thinking about this. Your daughter's team should give "
                    "you a written list, and how long to follow it varies between centres, so "
                    "please check with them. As a general guide, the foods usually avoided for "
                    "a while around each course are:\n\n"
                    "- unpasteurised milk, and cheese or yoghurt made from it\n"
                    "- soft and mould-ripened cheeses (such as brie or camembert) and blue "
                    "cheeses\n"
                    "- pâté of any kind, including vegetable pâté\n"
                    "- chilled smoked fish and cold cooked or cured meats, unless heated until "
                    "steaming hot\n"
                    "- raw or undercooked meat, fish and shellfish\n"
                    "- ready-made salads and sandwiches that have been sitting in a fridge\n\n"
                    "Good kitchen habits help too: keep the fridge cold, reheat food until it's "
                    "steaming hot all the way through, and stick to use-by dates. The NHS has a "
                    "clear page on it: [Listeriosis (NHS)](https://www.nhs.uk/conditions/listeriosis/)"
                    "\n\n"
                    "If she gets a fever, aches, or a stomach upset in the weeks after treatment, "
                    "contact her team promptly rather than waiting to see if it passes."
                ),
                replies=(
                    DemoComment(
                        author="riverwalker",
                        body=(
                            "One practical tip: we printed the list and stuck it on the fridge so "
                            "everyone in the house knew. My teenager turned into the strictest "
                            "food inspector you've ever met."
                        ),
                        replies=(
                            DemoComment(
                                author="morningtide",
                                body="Ha, that's a great idea. Thank you both, printing it now.",
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    # 4. Fatigue after infusion: patient-to-patient only, nested six levels deep.
    DemoComment(
        author="riverwalker",
        body=(
            "Did anyone else feel completely flattened after course 1? The infusion days "
            "themselves were OK, but for the next three or four weeks I could barely get through "
            "an afternoon. Is that normal, and does course 2 feel the same?"
        ),
        replies=(
            DemoComment(
                author="bluefinch",
                body=(
                    "Yes, very similar for me. The steroids kept me buzzing during the week "
                    "itself, then I crashed hard. It lifted gradually over about a month. Course "
                    "2 was shorter and honestly easier, though everyone seems to be different."
                ),
                replies=(
                    DemoComment(
                        author="riverwalker",
                        body=(
                            "That's good to know. Did you go straight back to work afterwards? "
                            "I'm wondering whether to book extra time off for course 2."
                        ),
                        replies=(
                            DemoComment(
                                author="bluefinch",
                                body=(
                                    "I did a **phased return** over two weeks, agreed with "
                                    "occupational health beforehand. Having it sorted in advance "
                                    "took a lot of pressure off, because I didn't have to ask "
                                    "while I was exhausted."
                                ),
                                replies=(
                                    DemoComment(
                                        author="steadyhand",
                                        body=(
                                            "Jumping in as a partner: we did the same for my "
                                            "wife's second course and it made a big difference. "
                                            "We also batch-cooked the week before, so there was "
                                            "one less thing to think about."
                                        ),
                                        replies=(
                                            DemoComment(
                                                author="riverwalker",
                                                body=(
                                                    "Thank you both. I'm talking to HR this week "
                                                    "and then I'm filling the freezer!"
                                                ),
                                            ),
                                        ),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    # 5. What the monthly tests look for: answered by the neurologist.
    DemoComment(
        author="bluefinch",
        body=(
            "I'm a year into monitoring and the monthly tests have become routine, but I "
            "realised I don't actually know what each one is for. Could someone explain? Also, "
            "my last urine result said “trace of blood”. Should I be worried?"
        ),
        replies=(
            DemoComment(
                author="neurologist",
                body=(
                    "Good question. In general terms:\n\n"
                    "- **Full blood count**: mainly watching the platelet count, so that immune "
                    "thrombocytopenia (ITP) is spotted early.\n"
                    "- **Creatinine** (a blood test) and **urine test**: looking for early signs "
                    "that the kidneys are inflamed, before any symptoms appear.\n"
                    "- **Thyroid tests** (usually every three months): picking up an overactive "
                    "or underactive thyroid.\n\n"
                    "A single trace of blood in the urine is fairly common and has plenty of "
                    "everyday causes, such as a period, recent exercise or a minor infection. "
                    "Teams usually repeat the test or arrange further checks. Whether anything "
                    "more is needed in your case is a question for your own team, so please do "
                    "ring them if you haven't heard back."
                ),
                replies=(
                    DemoComment(
                        author="bluefinch",
                        body=(
                            "I rang them and they're repeating it next week. Thanks for "
                            "explaining; it feels much less scary when I know what they're "
                            "looking for."
                        ),
                    ),
                ),
            ),
        ),
    ),
    # 6. A caregiver asking how to help: patient-to-patient only.
    DemoComment(
        author="steadyhand",
        body=(
            "My wife is starting alemtuzumab next month. I want to be useful without hovering. "
            "For those of you who've been through it, what actually helped?"
        ),
        replies=(
            DemoComment(
                author="riverwalker",
                body=(
                    "Things my partner did that I really valued:\n\n"
                    "1. Drove me to and from the infusion days, so I could doze afterwards.\n"
                    "2. Kept track of the monthly blood test dates on a shared calendar.\n"
                    "3. Took over the food rules without making a fuss about it.\n"
                    "4. Asked me how I was feeling, rather than telling me I looked tired!\n\n"
                    "Mostly, just being there when the results letters came."
                ),
            ),
            DemoComment(
                author="bluefinch",
                body=(
                    "Agree with all of that. I'd add: learn the warning signs they give you "
                    "(bruising, spots on the skin, that sort of thing). I sometimes miss things "
                    "on myself that my husband notices."
                ),
                replies=(
                    DemoComment(
                        author="steadyhand",
                        body="This is exactly what I needed. Shared calendar going up tonight.",
                    ),
                ),
            ),
        ),
    ),
    # 7 and 8. A new patient's first comments, still waiting for moderation.
    DemoComment(
        author="newleaf",
        status="pending",
        body=(
            "I've just been offered alemtuzumab and I'm honestly scared. A relative said it "
            "“wipes out your immune system for good”. Is that true? Has anyone regretted it?"
        ),
    ),
    DemoComment(
        author="newleaf",
        status="pending",
        body=(
            "Is it OK to skip one month of blood tests? I'm going to be travelling for six "
            "weeks over the summer."
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Post 2: living with MS fatigue
# --------------------------------------------------------------------------------------------

_FATIGUE_BODY = """
*General information only. If fatigue is getting in the way of your life, please talk to your
own MS team or GP.*

## More than ordinary tiredness

Fatigue is one of the most common symptoms of MS. Most people with MS experience it at some
point, and many say it affects their daily life more than anything else. It is not the same as
ordinary tiredness: it can arrive with little warning, it is not always eased by rest, and it
often gets worse in the heat or later in the day.

## First, look for things that add to it

Before focusing on MS fatigue itself, it is worth checking for other causes that can be
treated:

- poor sleep, including sleep broken by bladder symptoms, pain, spasms or restless legs;
- low mood, depression or anxiety;
- infections, including urine infections that do not always cause obvious symptoms;
- anaemia or thyroid problems, which is one reason your team may suggest blood tests;
- side effects of medicines, including some used for pain, spasms or bladder symptoms.

## Approaches that help many people

### Managing your energy

Think of your energy as a budget. Plan the week ahead, spread demanding tasks out, rest
*before* you are exhausted rather than after, and decide what can be dropped, simplified or
shared. Keeping a simple fatigue diary for a couple of weeks can reveal useful patterns.

### Staying active

It can sound backwards, but regular exercise that suits you, such as walking, cycling,
swimming, strength work or yoga, reduces fatigue for many people. Start gently and build up; a
physiotherapist can help you find the right level.

### Keeping cool

If heat makes things worse, cold drinks, fans, cooling vests and planning activities for the
cooler parts of the day can all help.

### Structured courses

Many MS services run fatigue management courses, often led by occupational therapists, and
some use techniques from cognitive behavioural therapy. Ask your team whether one is available
near you.

## What about medicines?

Several medicines have been used for MS fatigue. A carefully designed trial that compared three
of them with a dummy tablet found that none worked clearly better than the dummy, and side
effects were more common. Some people still find one helpful, so it is reasonable to discuss,
but it is rarely the first step.

## Talk to your team

Fatigue is real, common and worth raising at every review. Your MS nurse can help you work out
what is contributing and which of these approaches to try first.
""".strip()

_FATIGUE_REFERENCES = """
- National Institute for Health and Care Excellence. *Multiple sclerosis in adults:
  management.* NICE guideline NG220. 2022.
- Nourbakhsh B, Revirajan N, Morris B, et al. Safety and efficacy of amantadine, modafinil, and
  methylphenidate for fatigue in multiple sclerosis: a randomised, placebo-controlled,
  crossover, double-blind trial. *Lancet Neurol.* 2021;20(1):38-48.
""".strip()

_FATIGUE_COMMENTS: tuple[DemoComment, ...] = (
    DemoComment(
        author="bluefinch",
        body=(
            "The energy budget idea changed things for me. I allow myself a maximum of three "
            "“big” things a week, and everything else has to fit around them. It felt "
            "limiting at first, but I actually get more done now."
        ),
        replies=(
            DemoComment(
                author="nurse",
                body=(
                    "Thank you for sharing this. It's a great example of planning around your "
                    "energy rather than pushing through until you crash. What counts as a "
                    "“big” thing will differ from person to person, so it's worth working out "
                    "your own version."
                ),
            ),
        ),
    ),
    DemoComment(
        author="morningtide",
        body=(
            "How do you tell the difference between MS fatigue and depression? My daughter "
            "sleeps a lot at the moment and I can't tell which it is."
        ),
        replies=(
            DemoComment(
                author="nurse",
                body=(
                    "That's a hard one, and the two often overlap. Both are common in MS and both "
                    "deserve attention. Low mood, losing interest in things she usually enjoys, "
                    "or feeling hopeless are worth mentioning specifically. Her MS team or GP "
                    "can talk it through with her and may use short questionnaires to help "
                    "untangle it. Encouraging her to raise it at her next appointment, or "
                    "sooner if you're worried, is a really good step."
                ),
            ),
        ),
    ),
    DemoComment(
        author="riverwalker",
        body=(
            "Cooling vest recommendation from me: it's made summer bearable. Not glamorous, but "
            "neither is lying on the kitchen floor."
        ),
        replies=(
            DemoComment(
                author="steadyhand",
                body="Seconded. We also keep a small fan in the car for summer journeys.",
            ),
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Post 3: what to expect on an ocrelizumab infusion day
# --------------------------------------------------------------------------------------------

_OCRELIZUMAB_BODY = """
*General information only. Every infusion unit does things a little differently, so your own
team's instructions come first.*

Ocrelizumab is a disease-modifying treatment for relapsing MS and for some people with early
primary progressive MS. It is usually given as a drip into a vein. Knowing what happens on the
day can make the first visit less daunting.

## Before your first dose

- You will have blood tests beforehand, including a check for hepatitis B.
- Your team will review your vaccinations. Live vaccines are not recommended during treatment,
  and other vaccines are best given well before you start, because they may work less well
  afterwards.
- Tell the unit before you travel in if you have an infection, feel unwell, or might be
  pregnant. They may decide to postpone.

## How the doses are spaced

The first dose is normally split into two half-doses given two weeks apart. After that, a
single full dose is given every six months.

## On the day

### Medicines beforehand

About half an hour before the drip starts, you will usually be given a steroid through the
drip and an antihistamine, and often paracetamol too. These reduce the chance of a reaction.

### The infusion

The drip starts slowly and the rate is increased step by step if you are comfortable. The
first half-doses take longer; later full doses often take around three to four hours, or
about two hours where a shorter infusion is used. You will then be observed for at least an
hour. Plan for most of the day.

### Infusion reactions

Reactions are most common with the very first infusion. They can include itching, a rash, a
scratchy throat, flushing, headache or a temperature. **Tell a nurse straight away**: they can
slow or pause the drip and give medicines to help. Reactions can also happen in the day after
an infusion, so you will be told who to contact.

In some places ocrelizumab is also available as an injection under the skin. Your team can
tell you whether that is an option for you.

## What to bring

- something to do: a book, downloads, headphones, a phone charger;
- snacks and a drink (check what the unit provides);
- layers, because infusion rooms can be cold or warm;
- an up-to-date list of your medicines;
- a lift home if you can, as the antihistamine can make you drowsy.

## Afterwards

Infections, especially of the nose, throat and chest, are more likely while on ocrelizumab.
Contact your team if you develop a fever or an infection that is not settling.
""".strip()

_OCRELIZUMAB_REFERENCES = """
- Hauser SL, Bar-Or A, Comi G, et al. Ocrelizumab versus interferon beta-1a in relapsing
  multiple sclerosis. *N Engl J Med.* 2017;376(3):221-234.
- Montalban X, Hauser SL, Kappos L, et al. Ocrelizumab versus placebo in primary progressive
  multiple sclerosis. *N Engl J Med.* 2017;376(3):209-220.
""".strip()

_OCRELIZUMAB_COMMENTS: tuple[DemoComment, ...] = (
    DemoComment(
        author="steadyhand",
        body=(
            "Is it worth me staying with my wife for the whole day, or do units prefer "
            "people to drop off and pick up?"
        ),
        replies=(
            DemoComment(
                author="nurse",
                body=(
                    "It really depends on the unit. Some have space for a companion and others "
                    "don't, so it's worth ringing ahead. Either way, offering a lift home is "
                    "really helpful, especially after the first infusions, when the "
                    "antihistamine can make people sleepy."
                ),
            ),
        ),
    ),
    DemoComment(
        author="riverwalker",
        body=(
            "My tip: wear a top with loose sleeves and bring a hoodie. Every unit I've been in "
            "is either freezing or boiling."
        ),
    ),
    DemoComment(
        author="bluefinch",
        body=(
            "Had my first half-dose last week. My throat went itchy about an hour in; they "
            "slowed the drip and it passed. Second half-dose tomorrow, and I feel calmer now "
            "I know what to expect."
        ),
        replies=(
            DemoComment(
                author="morningtide",
                body="Good luck tomorrow! Thanks for sharing, it helps those of us watching.",
            ),
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# All posts
# --------------------------------------------------------------------------------------------

POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        slug="alemtuzumab-long-term-evidence",
        title="Alemtuzumab for relapsing MS: what the long-term evidence tells us",
        author="neurologist",
        summary=(
            "A plain-language look at what around six years of follow-up from the CARE-MS "
            "studies show about alemtuzumab's benefits, its risks, and the monitoring that "
            "goes with it."
        ),
        body=_ALEMTUZUMAB_BODY,
        references=_ALEMTUZUMAB_REFERENCES,
        tags=("alemtuzumab",),
        days_ago=12,
        comments=_ALEMTUZUMAB_COMMENTS,
    ),
    DemoPost(
        slug="ocrelizumab-infusion-day",
        title="Your ocrelizumab infusion day: what to expect",
        author="nurse",
        summary=(
            "What happens before, during and after an ocrelizumab infusion, and a few practical "
            "tips for making the day easier."
        ),
        body=_OCRELIZUMAB_BODY,
        references=_OCRELIZUMAB_REFERENCES,
        tags=("ocrelizumab",),
        days_ago=26,
        comments=_OCRELIZUMAB_COMMENTS,
    ),
    DemoPost(
        slug="managing-ms-fatigue",
        title="Living with MS fatigue: practical approaches",
        author="nurse",
        summary=(
            "Why MS fatigue is different from ordinary tiredness, what else to check for, and "
            "the approaches that help many people."
        ),
        body=_FATIGUE_BODY,
        references=_FATIGUE_REFERENCES,
        tags=("fatigue",),
        days_ago=41,
        comments=_FATIGUE_COMMENTS,
    ),
)
