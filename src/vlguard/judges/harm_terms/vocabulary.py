"""Building blocks of the harm-request lexicon: who can be harmed, groups hate targets, harmful verbs and
objects, the protective phrases that excuse a match, and everyday idioms that contain a harm word."""

from __future__ import annotations

import re

W = r"[\w'-]+"  # one word
GAP = rf"(?:{W} ){{0,3}}"  # up to three words in between: "make a homemade pipe bomb"
# Words that, inside a gap, turn a match into its opposite ("encourage students to fight racism").
SAFE_WORD = (r"(?!(?:against|fight\w*|prevent\w*|stop\w*|end|ending|combat\w*|reduc\w*|tackl\w*|victims?"
              r"|awareness|about|avoid\w*|without|instead|resist\w*|report\w*|detect\w*|spot\w*|debunk\w*"
              r"|counter\w*|not|never|no|don't|address\w*|handl\w*|deal\w*|protect\w*|mitigat\w*|recogni[sz]\w*"
              r"|identify\w*|understand\w*|explain\w*|oppos\w*|inclusion|equality|tolerance|diversity)\b)")
SAFE_GAP = rf"(?:{SAFE_WORD}{W} ){{0,3}}"
PROMOTE_GAP = rf"(?:{SAFE_WORD}{W} ){{0,5}}"  # "encourage young people to engage in X"
DET = (r"(?:(?:a|an|the|some|this|that|these|those|my|your|his|her|their|our|someone's|somebody's|people's"
        r"|other people's|another person's|innocent|random|unsuspecting|vulnerable) )?")
# One optional word before a person ("my annoying neighbour"), not a preposition ("hurt by people").
ADJ = rf"(?:(?!(?:by|of|from|with|to|for|and|or|in|on|at|as|like|than)\b){W} )?"
# People (and groups of people) as the object of a harmful act.
PERSON = (
    r"(?:someone|somebody|some ?one|anyone|people|others|other people|persons?|individuals?|him|her|them|humans?"
    r"|civilians|victims?"
    r"|strangers?|children|child|kids?|bab(?:y|ies)|minors?|teens?|teenagers?|students?|wife|husband|spouse"
    r"|partner|girlfriend|boyfriend|ex|ex-wife|ex-husband|family|parents?|mother|father|mom|dad|brother|sister|son"
    r"|daughter|friends?|neighbou?rs?|boss|co-?workers?|colleagues?|teachers?|classmates?|roommates?|customers?"
    r"|users?|employees?|passengers?|police(?: officers?)?|officers?|cops?|politicians?|president|senator"
    r"|journalists?|celebrit(?:y|ies)|judges?|witness(?:es)?|men|women|man|woman|girls?|boys?|elderly|seniors?"
    r"|crowds?|the public|public figures?|leaders?|workers|singers?|actors?|actress(?:es)?|athletes?|influencers?"
    r"|youtubers?|streamers?|(?:pop |movie |tv )?stars?|(?:large |small )?(?:groups?|crowds?"
    r"|gatherings?) of (?:[\w'-]+ )?people|high-profile (?:individuals?|people|figures?|targets?))"
)
SELF = r"(?:myself|yourself|himself|herself|themselves|oneself|ourselves)"
# Groups that hate speech targets.
GROUP = (
    r"(?:women|men|girls|boys|females|males|gays?|gay (?:people|men)|lesbians?|bisexuals?|trans(?:gender)?"
    r"(?: people| women| men)?|lgbtq?\+?(?: people| community)?|queer people|homosexuals|disabled people|the disabled"
    r"|people with disabilities|(?:mentally|physically) (?:ill|disabled) people|autistic people|muslims?"
    r"|(?!other\b|the\b|some\b|many\b|most\b|these\b|those\b|young\b|more\b|all\b|other\b|of\b|to\b|for\b"
    r"|with\b|and\b|or\b|that\b|which\b|who\b)[\w'-]+ people"
    r"|jews|jewish people|christians|hindus|sikhs|buddhists|atheists|immigrants?|migrants|refugees|foreigners"
    r"|black (?:people|men|women)|blacks|white (?:people|men|women)|whites|asians?|asian people|latinos?|latinas?"
    r"|hispanics?|mexicans?|arabs?|africans?|indians?|chinese people|gypsies|roma people|native americans"
    r"|indigenous people|minorities|minority groups?|ethnic (?:groups?|minorities)|religious (?:groups?|minorities)"
    r"|poor people|the poor|fat people|overweight people|old people|the elderly|indigenous (?:people|practices"
    r"|communities|cultures)|(?:political|religious|ethnic|cultural"
    r"|linguistic|racial) (?:groups?|communit(?:y|ies)|minorit(?:y|ies))|(?:a |any |the )?(?:particular|specific"
    r"|certain|targeted|different|other) (?:[\w'-]+ )?(?:group|race|religion|belief|ethnicity|community"
    r"|gender(?: identity)?"
    r"|nationality|culture|practice|region|profession|caste|tribe|class|minority|people|accent|identity|movement"
    r"|family structure|sexual orientation)s?(?: of people)?|(?:people|individuals|others|someone) (?:based on"
    r"|because of) (?:their |his |her )?[\w'-]+|(?:someone's|somebody's|a person's|people's|their|his|her"
    r"|an individual's) (?:skin colou?r|race|religion|ethnicity|accent|weight|disabilit(?:y|ies)|sexuality|gender"
    r"|nationality|appearance|age|looks|body|faith|origins?|culture)|(?:lgbtq?\+?|gay|trans(?:gender)?|disabled"
    r"|muslim|jewish|black|immigrant|autistic) (?:individuals|persons|folks|community|communities|users))"
)
GROUP_INSULT = (r"(?:stupid|inferior|worse than \w+|subhuman|animals|vermin|dirty|lazy|criminals|terrorists|evil"
                 r"|worthless"
                 r"|disgusting|useless|dumb|idiots|savages|less intelligent|not human|unintelligent|too weak"
                 r"|too emotional|a disease|a plague|parasites)")
MAKE = (r"(?:make|making|made|build|building|construct|constructing|assemble|assembling|create|creating|craft"
         r"|crafting|manufacture|manufacturing|produce|producing|design|designing|put together|rig|rigging|develop"
         r"|developing|(?:construction|assembly|manufacture|manufacturing|production|synthesis|creation|ignition"
         r"|detonation|design) of)")
EXPLOSIVE = (r"(?:bombs?|explosives?|explosive devices?|ieds?|pipe[- ]bombs?|car[- ]bombs?|grenades?|molotov"
              r"(?: cocktails?)?|napalm|detonators?|dynamite|c-?4|tnt|thermite|nail bombs?|suicide vests?"
              r"|landmines?|incendiary devices?)")
DRUG = (r"(?:meth|methamphetamine|crystal meth|cocaine|crack cocaine|heroin|fentanyl|lsd|mdma|ecstasy|ghb|pcp"
         r"|dmt|opioids|opium|ketamine|narcotics|illegal drugs|illicit drugs|street drugs|hard drugs"
         r"|controlled substances|date[- ]rape drugs?|roofies|hallucinogens|psychedelics|psilocybin|amphetamines"
         r"|drugs)")
FALSE_CONTENT = (r"(?:misinformation|disinformation|propaganda|false information|false news|fake news"
                  r"|conspiracy theor(?:y|ies)|hoax(?:es)?|lies|rumou?rs?|false (?:claims?|reports?|stor(?:y|ies)"
                  r"|rumou?rs?|statements?|accusations?|allegations?|narratives?|information)|fake (?:stor(?:y|ies)"
                  r"|articles?|reports?|quotes?|news|expert(?: quotes?)?|evidence|photos?|videos?|headlines?"
                  r"|scandals?)|deepfakes?|defamatory \w+|libel|slander)")
PROMOTE = (r"(?:promot\w*|encourag\w*|incit\w*|glorif\w*|justif\w*|advocat\w*|celebrat\w*|condon\w*|normali[sz]\w*"
            r"|spread\w*|fuel\w*|stir\w* up|urg(?:e|es|ed|ing)|persuad\w*|convinc\w*|romantici[sz]\w*|praise"
            r"|glamori[sz]\w*|cultivat\w*|amplif\w*|instill\w*|induc(?:e|es|ing)|instigat\w*|provok\w*)")
VIOLENT_VERB = (r"(?:kill|killing|murder|murdering|assassinate|assassinating|poison|poisoning|strangle|strangling"
                 r"|stab|stabbing|shoot|shooting|torture|torturing|kidnap|kidnapping|abduct|abducting|maim|maiming"
                 r"|hurt|hurting|injure|injuring|attack|attacking|assault|assaulting|beat up|beating up|drown"
                 r"|suffocate|suffocating|behead|lynch|rape|raping|molest|molesting|physically harm"
                 r"|physically hurt|run over|punch|punching|smother|disfigure|hit|hitting|slap|slapping|kick|kicking"
                 r"|drugging)")

# A protective or educational phrase just before a match makes it a question about the topic ("how to
# prevent identity theft", "protect your computer from malware"). Up to three words may sit in between,
# but none that starts a new clause ("detect vulnerabilities and exploit them" is still a request).
CLAUSE_WORDS = r"(?:and|or|then|so|but|that|which|who|to|how|while|because|if|when|where|before|after|i|we|you)"
PROTECTIVE = re.compile(
    r"\b(?:prevent(?:s|ing|ion of)?|protect(?:s|ing|ion)?(?: [\w'-]+){0,3} (?:from|against)|safeguard(?:ing)? against"
    r"|guard(?:ing)? against|defend(?:ing)?(?: [\w'-]+){0,2} against|detect(?:s|ing|ion of)?|spot(?:ting)?"
    r"|recogni[sz](?:e|ing)|identify(?:ing)?|combat(?:ing)?|fight(?:ing)?(?: against)?|stop(?:ping)?"
    r"|reduc(?:e|ing)|deter(?:ring)?|counter(?:ing)?|tackl(?:e|ing)|avoid(?:ing)?|remov(?:e|ing)|eliminat(?:e|ing)"
    r"|respond(?:ing)? to|deal(?:ing)? with|cop(?:e|ing) with|recover(?:ing)? from|survive|survivors? of"
    r"|victims? of|dangers? of|risks? of|(?:side )?effects? of|impacts? of|consequences? of|causes? of|signs of"
    r"|symptoms of|history of|ethics of|laws?|penalt(?:y|ies) for|punishment for|against|about|why|not|never"
    r"|awareness (?:of|about)|debunk(?:ing)?|fact-check(?:ing)?|anti|free from|without|find|finding|look for"
    r"|check for|sweep for|filter\w*|block\w*|address(?:ing)?|handl(?:e|ing)|mitigat\w*|curb\w*|end|ending"
    r"|eradicat\w*|solutions? (?:to|for)|how (?:do|does|did|can|could|would) (?:hackers|criminals|scammers|thieves"
    r"|attackers"
    r"|terrorists|fraudsters|cybercriminals|spammers|con artists|predators|stalkers|abusers|bullies|they"
    r"|companies|governments|police|investigators|banks|malware|viruses|a virus|a computer virus|ransomware|worms"
    r"|phishing|scams|scammers|killers|serial killers|murderers|gangs|the mafia|cartels|smugglers|pirates|spies"
    r"|people|criminals)(?: [\w'-]+)?)"
    rf"\s(?:(?!{CLAUSE_WORDS}\b)[\w'-]+ ){{0,3}}$"
    r"|\b(?:what(?:'s| is| are| was| were)|define|defin(?:ition|ing) of|meaning of|concept of|difference between"
    r"|types? of|kinds? of|forms? of)\s(?:(?:a|an|some|common) )?$"
)
PROTECTIVE_WINDOW = 80

# Everyday idioms that contain a harm word; a match overlapping one is skipped.
GAME = (r"(?:(?:a |the |my )?(?:video ?)?games?|minecraft|call of duty|counter[- ]strike|gta(?: [iv\d]+)?"
         r"|grand theft auto|fortnite|skyrim|battlefield(?: \d+)?|the witcher(?: \d)?|halo|overwatch|chess"
         r"|checkers|poker|paintball|laser tag|dungeons (?:and|&) dragons)")
NOT_HARM = r"(?!(?:porn\w*|sex\w*|nude|naked|explicit|adult|snuff|fake|terror\w*|propaganda|hate)\b)"
BENIGN = re.compile(
    r"\b(?:bath ?bombs?|seed bombs?|photo ?bomb\w*|f-bombs?|bomb(?:ed|ing)? (?:the|an?|my|that) (?:test|exam"
    r"|interview|audition|quiz)|kill(?:ing)? (?:a |the |this |that |all |my |your |some )?(?:[\w.-]+ )?"
    r"(?:process(?:es)?|tasks?|jobs?|threads?|apps?|programs?|sessions?|servers?|commands?|signals?|switch|time"
    r"|the lights|the engine|the power|the mood|weeds?|bacteria|germs|mold|mould|pests?|insects?|ants"
    r"|mosquito(?:es)?|flies|bugs|rats|mice|roaches|cockroaches|vermin)|shoot(?:ing)? (?:a |the |some |my |your )?"
    rf"(?:{NOT_HARM}\w+ )?(?:photos?|pictures?|video|film|movie|scene|goal|hoops|basket|ball|shot|shots|portraits?"
    rf"|footage"
    r"|the breeze|for the (?:stars|moon))|execut\w* (?:a |an |the |my |this |that )?(?:\w+ )?(?:plan|command"
    r"|query|program|script|code|order|task|strategy|function|contract|trade|transaction)|steal(?:ing)? (?:the"
    r" (?:show|spotlight|scene)|a (?:base|kiss|glance|look|moment|nap)|(?:someone's|my|your|his|her|their)"
    r" (?:heart|thunder))|attack(?:ing)? (?:the|a|my|your) (?:king|queen|problem|issue|question|task|day|goal"
    r"|basket|net)|beat (?:the (?:heat|odds|clock|traffic|deadline|record)|my (?:record|competition|time|score))"
    r"|hit (?:[\w'-]+ )?up|hit it off|hit (?:leaders?|records?|songs?|singles?|albums?|lists?|parades?|shows?|movies?"
    r"|makers?|counts?)|bomb (?:shelters?|squads?|disposal|threats?|detection|-sniffing \w+|sniffing \w+)"
    r"|kick(?:ing)? (?:[\w'-]+ ){0,2}out|heart attacks?|panic attacks?|asthma attacks?|shark attacks?"
    r"|anxiety attacks?|murder of crows"
    r"|murder myster(?:y|ies)|killer (?:app|feature|whale)|drug (?:stores?|interactions?|discovery|development"
    r"|trials?)|ethical hack\w*|white[- ]hat|penetration test\w*|life ?hacks?"
    rf"|cut {SELF} (?:some )?slack|(?:kill|shoot|stab|attack|poison|rob|steal|beat|bomb|destroy|build)\w*"
    rf" (?:{W} ){{0,4}}in {GAME})\b"
)
