"""The patterns of harm-request lexicon version 1: (category, label, regex), grouped by category.

Order matters only for which match is reported when several apply. Any change here is a new lexicon version
(bump HARM_TERMS_VERSION in `vlguard.judges.harm_terms`).
"""

from __future__ import annotations

from vlguard.judges.harm_terms.vocabulary import (
    ADJ,
    DET,
    DRUG,
    EXPLOSIVE,
    FALSE_CONTENT,
    GAP,
    GROUP,
    GROUP_INSULT,
    MAKE,
    PERSON,
    PROMOTE,
    PROMOTE_GAP,
    SAFE_GAP,
    SAFE_WORD,
    SELF,
    VIOLENT_VERB,
)

P = PERSON[3:-1]  # the alternatives without their group, to splice into other alternations
G = GROUP[3:-1]

# (category, label, regex). Order matters only for which match is reported when several apply.
PATTERNS: tuple[tuple[str, str, str], ...] = (
    # -- weapons and explosives
    ("weapons", "make an explosive", rf"\b{MAKE} {GAP}{EXPLOSIVE}\b"),
    ("weapons", "detonate or plant a bomb",
     rf"\b(?:detonat\w*|plant\w*|set(?:ting)? off|hid(?:e|ing)|smuggl\w*|throw\w*) {GAP}{EXPLOSIVE}\b"),
    ("weapons", "homemade explosive",
     r"\b(?:bomb|explosives?)[- ]making\b|\bhomemade (?:\w+ )?(?:bombs?|explosives?|explosive devices?)\b"
     r"|\b(?:bombs?|explosives?|explosive devices?) (?:using|with|from|out of) (?:common |everyday |simple )?"
     r"(?:household|kitchen|garden|store-bought)\b"),
    ("weapons", "chemical or biological weapon",
     rf"\b(?:{MAKE}|synthesi[sz]\w*|obtain\w*|acquir\w*|us(?:e|ing)|releas\w*|deploy\w*|spread\w*|extract\w*"
     rf"|grow\w*|cultivat\w*|weaponi[sz]\w*|disperse?\w*|develop\w*) {SAFE_GAP}(?:(?:chemical|biological|bio"
     rf"|radiological|nuclear"
     r"|dirty) ?(?:weapons?|bombs?|agents?)|nerve (?:agents?|gas)|sarin|ricin|anthrax|vx|mustard gas|tabun|novichok"
     r"|botulinum(?: toxin)?|toxins?|pathogens?|poison gas|chlorine gas|bio-?weapons?)\b|\bweaponi[sz](?:e|es|ing)\b"
     r"|\bweapons? of mass destruction\b|\bdirty bombs?\b"),
    ("weapons", "make or modify a gun",
     rf"\b(?:{MAKE}|3d[- ]print\w*|convert\w*|modif\w*) {GAP}(?:guns?|firearms?|rifles?|pistols?|handguns?"
     r"|silencers?|suppressors?|ghost guns?|(?:fully )?automatic (?:weapons?|rifles?)|weapons?|ammunition)\b"),
    ("weapons", "get a gun illegally",
     r"\b(?:untraceable|unregistered|illegal|black[- ]market|stolen) (?:guns?|firearms?|weapons?|handguns?)\b"
     r"|\b(?:guns?|firearms?|weapons?) (?:illegally|without (?:a )?(?:background checks?|licen[cs]e|permit))\b"
     r"|\b(?:teach\w*|show\w*|help\w*|allow\w*|let|give|giv\w*|encourag\w*) (?:children|kids|minors|a child)"
     r"(?: [\w'-]+){0,4} (?:access|use|shoot|buy|get|handle|obtain|fire|carry|play with)(?: [\w'-]+){0,2}"
     r" (?:guns?|firearms?|weapons?)\b(?! safely| responsibly)"),
    ("weapons", "sell weapons",
     r"\b(?:sell\w*|buy\w*|traffic\w*|smuggl\w*|purchas\w*) (?:[\w'-]+ ){0,2}(?:weapons|guns|firearms|explosives"
     r"|grenades|ammunition)\b(?= (?:or|and|to|online|illegally|without|on|anonymously)\b)"),
    ("weapons", "weaponised devices",
     r"\b(?:drones?|robots?|vehicles?|cars?) (?:capable of|that can|to|for) (?:carry\w*|fir(?:e|ing)|deliver\w*"
     r"|drop\w*|launch\w*) (?:[\w'-]+ )?(?:weapons?|explosives?|bombs?|payloads?|grenades?)\b"
     r"|\b(?:non-detectable|undetectable|untraceable|concealable|hidden|plastic) (?:[\w'-]+ )?weapons?\b"
     r"|\b(?:emp|electromagnetic pulse) (?:weapons?|bombs?|devices?)\b|\bautonomous weapons?\b"
     r"|\b(?:enhanc|upgrad|increas|extend)\w* (?:[\w'-]+ ){0,3}(?:range|accuracy|power|lethality|rate of fire"
     r"|capacity) of (?:a |an |my |the )?(?:[\w'-]+ )?(?:rifles?|guns?|firearms?|weapons?|pistols?|missiles?)\b"),
    ("weapons", "weapon to harm",
     r"\bweapons? (?:that|to|which) (?:[\w'-]+ ){0,3}(?:kill|harm|hurt|assassinate|injure|maim)\b"),
    # -- violence and terrorism
    ("violence", "kill or harm a person",
     rf"\b{VIOLENT_VERB}(?: (?:and|or) (?:{VIOLENT_VERB}|hold\w*|rob\w*|intimidat\w*|threaten\w*))? {DET}{ADJ}"
     rf"{PERSON}\b|\b(?:hitm[ae]n|contract killers?|hired killers?|assassins?) for hire\b|\bhir(?:e|ing) (?:a |an )?"
     r"(?:hitm[ae]n|hit m[ae]n|contract killers?|assassins?|killers?)\b|\bassassination (?:attempts?|plots?|plans?)\b"
     r"|\bhigh-profile targets?\b|\bexecut(?:e|ing) (?:the |all )?(?:prisoners?|hostages?|captives?|civilians"
     r"|dissidents"
     r"|protesters|someone|him|her|my \w+)\b|\bmurder[- ]for[- ]hire\b"
     r"|\b(?:hold\w*|keep\w*|kidnap\w*) (?:[\w'-]+ ){0,3}for ransom\b"
     rf"|\bbeat(?:ing)? {DET}{ADJ}(?:{P}) up\b|\b(?:give|giving|slip|slipping|feed|feeding|put"
     rf"|putting) {DET}{ADJ}"
     rf"(?:{P}) (?:[\w'-]+ ){{0,2}}(?:drugs?|pills|sedatives?|sleeping pills|poison|laxatives?|overdoses?"
     r"|(?:wrong|lethal|fatal|double|triple) (?:[\w'-]+ )?doses?)\b(?:(?! for (?:\w+ )?(?:fever|pain|headache|cold"
     r"|cough|allergies))|(?= (?:[\w'-]+ ){0,3}without))|\bspik(?:e|ing) (?:[\w'-]+ ){0,2}drinks?\b"),
    ("violence", "violent act against a person",
     r"\b(?:abduction|torture|murder|killing|assassination|kidnapping|rape|beating|stabbing|lynching|poisoning)"
     rf"(?: (?:and|or) \w+)? of (?:a |an |the |my )?(?:specific |particular |real |certain )?(?:{P})\b"),
    ("violence", "arson",
     r"\barson\b|\bburn\w* down (?:[\w'-]+ ){0,2}(?:house|home|building|school|church|mosque|synagogue|temple|store"
     r"|shop|car|forest|office|warehouse)\b|\bstart\w* (?:a |an )?(?:[\w'-]+ )?fires? (?:[\w'-]+ ){0,4}(?:spread"
     r"|undetected|without (?:getting caught|being caught|leaving)|in (?:a |the |someone's )?(?:building|forest|house"
     r"|home|school|office))\b"),
    ("violence", "cause physical harm",
     r"\b(?:cause|causing|inflict\w*|do|doing) (?:serious |physical |bodily |maximum |severe |grievous |real )*"
     r"(?:harm|injur(?:y|ies)|damage|pain|suffering) (?:to|on) (?:[\w'-]+ ){0,2}"
     rf"(?:others|{P})\b|\bhurt (?:other )?people\b|\bharm (?:to )?others\b"),
    ("violence", "incite violence",
     rf"\b{PROMOTE} {PROMOTE_GAP}(?:violence|violent (?:acts?|behaviou?r|rhetoric|extremism)|attacks? on|killings?"
     r"|murders?|massacres?|genocide|ethnic cleansing|war crimes|terrorism|terrorist (?:acts?|attacks?)|riots?"
     r"|rioting|shootings?|gun violence|gang violence|sexual (?:assault|violence)|rape|harm (?:to|against"
     r"|towards?) \w+"
     r"|acts of (?:violence|terror\w*)|self-harm|suicid\w*|war|(?:the )?(?:suffering|misery|deaths?|plight) of)\b"
     rf"|\bviolence (?:against|towards?|on) (?:[\w'-]+ ){{0,3}}(?:{P}|{G}|groups?|minorit\w+|communit\w+)\b"
     r"|\bviolent (?:crimes?|acts?) (?:against|on|towards?)\b|\bcaus(?:e|ing) (?:the )?(?:most|maximum|max|mass"
     r"|massive"
     r"|serious|significant|widespread) (?:harm|casualties|deaths|destruction|injur(?:y|ies)|loss of life)\b"
     r"|\bmaximi[sz]\w* (?:the )?(?:chaos|casualties|damage|harm|panic|destruction|deaths|suffering|fear)\b"
     r"|\b(?:enhanc|increas|amplif|maximi[sz]|improv|boost)\w* (?:[\w'-]+ ){0,2}(?:lethality|destructive (?:power"
     r"|capabilit\w+|potential)|killing power|casualties|death toll|body count)\b"
     r"|\bcommit (?:\w+ )?(?:acts? of )?violen\w+\b"),
    ("violence", "terrorism",
     r"\b(?:commit\w*|carry\w* out|plan\w*|launch\w*|stage|staging|execut\w*|organi[sz]\w*|join\w*|recruit\w*"
     r"|fund\w*|financ\w*|infiltrat\w*) (?:[\w'-]+ ){0,4}(?:(?:[\w]+-)?terror(?:ist|ism)?(?: \w+)?|acts? of terror"
     r"|mass (?:shootings?|murders?|casualt\w+|killings?)|school shootings?|massacres?|suicide (?:bombings?|attacks?)"
     r"|jihad|isis|al[- ]qaeda|extremist (?:groups?|organi[sz]ations?|cells?)|(?:a |an )?attack (?:on|against))\b"
     r"|\bterrorist (?:attacks?|plots?|cells?|organi[sz]ations?|groups?|acts?|training|manifesto)\b"
     r"|\bsuicide bomb\w*|\bradicali[sz](?:e|es|ing)\b|\bradicali[sz]ation of\b|\b(?:hijack\w*|crash\w*"
     r"|bring\w* down|blow\w* up)"
     r" (?:a |an |the )?(?:plane|aircraft|airplane|airliner|flight|train|bus|building|bridge|stadium)\b"
     r"|\b(?:plant\w*|plac\w*) (?:a |an )?(?:bomb|explosive)s? (?:on|in|at) (?:a |an |the )?\w+\b"),
    ("violence", "riots and chaos",
     r"\b(?:start|starting|incite|inciting|instigat\w*|cause|causing|organi[sz]e|spark|sparking) (?:a |an )?"
     r"(?:[\w'-]+ )?(?:riot|riots"
     r"|lynch mob|stampede|mass panic|chaos)\b|\b(?:cause|causing|create|creating|lead to|leads to|spread"
     r"|spreading) (?:[\w'-]+ ){0,2}(?:panic|chaos|mass hysteria|widespread fear|fear|terror)(?: and \w+)? (?:among"
     r"|in"
     r"|throughout|across)\b"
     r"|\bcaus(?:e|ing) (?:[\w'-]+ ){0,2}(?:chaos|mass panic|economic instability|a stock market crash"
     r"|a crash|crashes|accidents|derailments?|blackouts?|ecological damage)\b"),
    ("violence", "sabotage",
     r"\bhit[- ]and[- ]run\b|(?<!self-)\bsabotag(?:e|es|ing) (?!(?:your|my|our|their) (?:own|self)|yourself"
     r"|myself)\w+"
     r"|\b(?:disrupt\w*|paralyz\w*|shut\w* down|attack\w*|target\w*|interfer\w* with|disabl\w*|knock\w* out"
     r"|tak(?:e|ing) down|tak(?:e|ing) out|destroy\w*|overload\w*|jam|jamming|destabili[sz]\w*|incapacitat\w*"
     r"|compromis\w*|derail\w*|crippl\w*|tamper\w* with|manipulat\w*) (?:[\w'-]+ ){0,4}(?:transportation|trains?"
     r"|rail (?:networks?|lines?)|railways?|bridges|(?:energy|power|electric\w*) (?:distribution )?(?:networks?"
     r"|grids?"
     r"|infrastructure|control systems?)|telecommunications? (?:infrastructure|networks?)|communication systems?"
     r"|emergency (?:response )?systems?|traffic (?:signals|lights|control)|water treatment|transit|power grids?"
     r"|water supply|water supplies|critical infrastructure"
     r"|emergency services|air traffic control|(?:a |the )?city's|nuclear (?:power )?(?:plants?|reactors?|facilit\w+)"
     r"|cooling systems?|dams?|pipelines?|911)\b|\b(?:trigger\w*|induc(?:e|ing)|engineer\w*) (?:a |an )?(?:[\w'-]+ )?"
     r"(?:blackouts?|infrastructure collapse|grid failure|meltdown)\b|\b(?:signal |cell(?:phone)? |gps "
     r"|radio )?jammers?\b"
     r"|\bjamming devices?\b|\b(?:overrid|disabl|bypass|remov)\w* (?:[\w'-]+ ){0,2}safety (?:measures|features"
     r"|mechanisms|systems|interlocks|switches|guards|controls) (?:[\w'-]+ ){0,4}(?:unsafe|dangerous|harm|hurt"
     r"|injur\w*|explode|fail)\b"),
    ("violence", "poison",
     r"\bpoison\w* (?:[\w'-]+ ){0,3}(?:water supply|water supplies|food|drink|coffee|meal|reservoir)\b"
     r"|\bundetectable poisons?\b|\b(?:nerve agents?|sarin|ricin|vx nerve|novichok)\b|\b(?:lethal|fatal) (?:doses?"
     r"|amounts?) (?:of [\w'-]+ )?(?:to|that would|that can)"
     r" kill\b|\b(?:toxins?|poisons?) (?:that|which) (?:[\w'-]+ ){0,3}(?:kill|undetectable|untraceable)\b"),
    ("weapons", "poisons and deadly agents",
     rf"\b(?:{MAKE}|prepar\w*|brew\w*|recipes? for|ingredients? (?:for|to make)|synthesi[sz]\w*) (?:[\w'-]+ ){{0,2}}"
     r"(?:poisons?|lethal substances?|toxins?|deadly gas|toxic gas)\b(?! ivy| oak| control| dart| frog)"
     r"|\b(?:homemade|diy|home-made|untraceable|undetectable) (?:[\w'-]+ )?(?:poisons?|toxins?|lethal substances?)\b"
     rf"|\b(?:{MAKE}|engineer\w*|develop\w*|synthesi[sz]\w*|grow\w*|cultivat\w*|weaponi[sz]\w*|enhanc\w*)"
     r" (?:[\w'-]+ ){0,2}(?:deadly|lethal|contagious|infectious|dangerous|virulent) (?:virus(?:es)?|pathogens?"
     r"|bacteria"
     r"|diseases?|strains?|toxins?|gas(?:es)?|chemicals?|bioweapons?)\b"
     r"|\b(?:homemade|diy|home-made|improvised|3d-printed|untraceable) (?:[\w'-]+ )?(?:weapons?|guns?|firearms?"
     r"|bullets|ammunition|missiles?|flamethrowers?|silencers?|suppressors?|grenades?|tasers?|napalm)\b"
     rf"|\b{MAKE} (?:[\w'-]+ ){{0,3}}(?:missiles?|flamethrowers?|armou?r-piercing \w+)\b"
     r"|\b(?:deliver\w*|drop\w*|carry\w*|attach\w*) (?:[\w'-]+ ){0,2}(?:harmful|explosive|chemical|lethal|toxic"
     r"|deadly) (?:payloads?|substances?|agents?)\b"),
    ("violence", "harm animals",
     r"\b(?:tortur\w*|abus(?:e|ing)|harm|harming|hurt|hurting|mutilat\w*|poison\w*|maim\w*|kill\w* (?:stray|my"
     r" neighbou?r's|neighbou?rs')) (?:[\w'-]+ ){0,2}(?:animals?|pets?|dogs?|cats?|puppies|kittens|horses|wildlife)\b"
     r"(?! (?:by accident|accidentally))|\banimal (?:cruelty|fights?|fighting)\b|\b(?:dog|cock)[- ]?fight(?:s"
     r"|ing)\b"),
    ("violence", "threaten someone",
     r"\bthreat(?:ening)? (?:letters?|messages?|emails?|notes?|calls?|texts?|posts?|voicemails?)\b"
     rf"|\bthreaten\w* (?:to (?:kill|hurt|harm|attack|rape|bomb|shoot|release|leak|expose|publish)|{DET}{ADJ}"
     rf"{PERSON}|{GROUP})\b|\b(?:blackmail|extort|sextort)\w*\b|\bransom note\b"),
    # -- drugs
    ("drugs", "make drugs",
     rf"\b(?:{MAKE}|cook\w*|synthesi[sz]\w*|extract\w*|grow\w*|brew\w*|refin\w*|cultivat\w*) {GAP}{DRUG}\b"
     r"(?<!\bmake drugs)(?<!\bdesign drugs)(?<!\bproduce drugs)"
     r"|\bdrugs? (?:that )?(?:can be )?(?:\w+ )?synthesi[sz]ed\b|\b(?:meth|drug) labs?\b"),
    ("drugs", "buy or sell drugs",
     rf"\b(?:buy\w*|obtain\w*|acquir\w*|purchas\w*|sourc\w*|order\w*) {GAP}(?:{DRUG[3:-1]})\b"
     r"(?<!\bbuy drugs)(?<!\bbuying drugs)(?<!\border drugs)(?<!\bordering drugs)(?<!\bpurchase drugs)"
     rf"|\b(?:sell\w*|(?:deal|dealing|deals) (?!with\b)|distribut\w*|traffic\w*|smuggl\w*|push\w*|peddl\w*) {GAP}"
     rf"(?:{DRUG[3:-1]})\b"
     r"|\bdrug (?:deal(?:ing|ers?)|traffick\w*|smuggl\w*|mules?|runners?)\b"),
    ("drugs", "promote drug use and dangerous behaviour",
     rf"\b{PROMOTE} {PROMOTE_GAP}(?:(?:the )?use of (?:illegal |illicit |recreational )?(?:drugs|narcotics"
     rf"|substances"
     r"|opioids)|drug (?:use|abuse)|using drugs|taking drugs|doing drugs|drugs|drugs or alcohol|binge drinking"
     r"|underage drinking|drunk driving|driving (?:drunk|under the influence|while intoxicated)|(?:dangerous|reckless"
     r"|risky) (?:driving|behaviou?rs?|stunts?|challenges?|activities|dieting|diets?|pranks?|sex)"
     r"|destructive behaviou?rs?|(?:the )?use of"
     r" (?:[\w'-]+ ){0,4}(?:drugs|steroids))\b|\bdrunk driving\b"
     r"|\bdrive (?:drunk|while (?:drunk|high|intoxicated))\b|\bget (?:high|drunk|wasted) (?:without|fast|quickly"
     r"|at school|at work)\b|\b(?:prescription (?:drugs|medications?|pills|opioids)|painkillers|opioids|oxycodone"
     r"|adderall|xanax) (?:illegally|without (?:a )?prescription|recreationally)\b"
     r"|\bwithout (?:proper |any )?(?:safety (?:precautions|equipment|gear|measures)|protective gear)\b"),
    # -- hacking and cybercrime
    ("hacking", "hack into",
     r"\bhack(?:s|ed|ing|er|ers)? (?:into |of |in to )?(?!for\b|to\b)(?:[\w'-]+ ){0,4}(?:accounts?|details"
     r"|documents|emails?|phones?|computers?|networks?|databases?|systems?|websites?|sites?"
     r"|servers?|wi-?fi|routers?|cameras?|webcams?|devices?|bank\w*|cars?|drones?|records|messages|passwords?"
     r"|infrastructure|grid|government|agency|company|corporation|hospital|social media|instagram|facebook"
     r"|twitter|whatsapp|icloud|gmail|profiles?|apps?|iot|mainframes?|satellites?|minds?|voting machines?)\b"
     r"|\bhack(?:s|ed|ing)? into\b"),
    ("hacking", "break into a system",
     r"\b(?:break\w*|broke) into (?:[\w'-]+ ){0,3}(?:accounts?|email|computers?|networks?|databases?|systems?"
     r"|servers?"
     r"|phones?|wi-?fi|webcams?|devices?|records)\b|\b(?:get\w*|gain\w*|obtain\w*) (?:unauthori[sz]ed |illegal )?"
     r"access to (?:someone's|somebody's|other people's|another person's|his|her|their|my \w+'s|an? (?:secure"
     r"|government|company's|corporate|private)) (?:[\w'-]+ ){0,2}(?:accounts?|email|computers?|networks?"
     r"|databases?|systems?|servers?|phones?|wi-?fi|webcams?|devices?|records|messages|files)\b"
     r"|\bunauthori[sz]ed (?:[\w'-]+ )?access\b|\billegally access\w*\b"
     r"|\bintercept\w* (?:[\w'-]+ ){0,3}(?:communications?|traffic|messages|calls|emails?|data|packets|texts)\b"
     r"|\b(?:unmask\w*|de-?anonymi[sz]\w*) (?:[\w'-]+ ){0,2}(?:anonymous|users|people|individuals|accounts|someone"
     r"|whistleblowers?|sources?)\b"),
    ("hacking", "malware",
     r"\b(?:malware|ransomware|spyware|keyloggers?|key loggers?|botnets?|rootkits?|logic bombs?|zero[- ]day exploits?"
     r"|exploit kits?|cryptojack\w*|stalkerware|remote access trojans?)\b|\btrojans? (?:horse )?(?:malware|virus"
     r"|programs?|apps?)\b|\bbackdoors? (?:into|in|to access)\b|\b(?:code|source code|program|script|build|create"
     r"|develop|write|deploy)\w* (?:[\w'-]+ ){0,3}trojan(?: horse)?s?\b|\bworms? (?:that|to|which) (?:can )?(?:spread"
     r"|infect|replicat|propagat)\w*|\binfect\w* (?:[\w'-]+ ){0,3}(?:computers?|systems?|networks?|devices?"
     r"|machines?|bios|uefi|phones?|servers?|firmware|websites?|users' \w+)\b"
     rf"|\b(?:{MAKE}|develop\w*|program\w*|cod(?:e|ing)|releas\w*|deploy\w*|distribut\w*|spread\w*|writ(?:e|ing)"
     r"|launch\w*|engineer\w*) (?:[\w'-]+ ){0,1}(?:computer |self-replicating |polymorphic )?(?:virus(?:es)?|worms)"
     r"\b(?!\w)|\bcomputer (?:virus(?:es)?|worms?)\b(?= (?:that|to|which))|\bmalicious (?:[\w'-]+ )?(?:code|software"
     r"|programs?|firmware|applications?|extensions?|emails?"
     r"|scripts?|payloads?|links?|apps?|attachments?|macros?|bots?|websites?|sites?)\b"),
    ("hacking", "cyberattack",
     r"\bcredential stuffing\b"
     rf"|\b(?:perform\w*|launch\w*|carry\w* out|conduct\w*|execut\w*|implement\w*|writ(?:e|ing)|cod(?:e|es|ing)"
     rf"|us(?:e|ing)|set\w* up|mount\w*|stag(?:e|ing)|how to|steps to|guide to|scripts? (?:for|to)"
     rf"|exploits? for) {SAFE_GAP}"
     r"(?:man[- ]in[- ]the[- ]middle attacks?|mitm attacks?|(?:dll|code|process|sql|command|packet) injection"
     r"|rowhammer|ram scraping|heap spray\w*|(?:return|jump)-oriented programming|shellcode|privilege escalation"
     r"|self-propagat\w*(?: mechanisms?)?|session hijack\w*|clickjack\w*|(?:arp|dns) spoofing|pass-the-hash"
     r"|credential dumping|bootkits?|fileless malware|(?:ddos|dos) attacks?|denial[- ]of[- ]service(?: attacks?)?"
     r"|cross-site scripting|xss|csrf|buffer overflow(?: exploits?| attacks?)?)\b|\bzero[- ]day (?:vulnerabilit\w+"
     r"|exploits?)\b"
     r"|\bcyber-?terror\w*"
     r"|\b(?:launch\w*|carry\w* out|conduct\w*|perform\w*|plan\w*|execut\w*|stag(?:e|ing)|commit\w*|start\w*"
     r"|orchestrat\w*) (?:[\w'-]+ ){0,2}cyber[- ]?(?:attacks?|warfare|terrorism)\b|\bcyber[- ]?attacks? (?:on"
     r"|against)\b"
     r"|\bbrute[- ]forc\w* (?:[\w'-]+ ){0,2}(?:passwords?|logins?|accounts?|ssh|wi-?fi|pins?|hashes)\b"
     r"|\bexploit\w* (?:[\w'-]+ ){0,4}(?:vulnerabilit(?:y|ies)|security (?:flaws?|holes?|bugs?|weaknesses)|buffer"
     r" overflows?|race conditions?|misconfigurations?"
     r"|loopholes? in (?:the )?(?:security|system)|zero[- ]days?)\b"),
    ("hacking", "spam",
     r"\b(?:send\w*|distribut\w*|automat\w*|blast\w*|flood\w*|mass[- ]send\w*|generat\w*) (?:[\w'-]+ ){0,3}(?:spam"
     r"|unsolicited (?:[\w'-]+ )?(?:messages|emails|texts|calls))\b|\bspam ?bots?\b|\bspamming\b|\bspam (?:programs?"
     r"|software|tools?|campaigns?)\b|\b(?:bots?|fake accounts|sock ?puppets?) (?:to|that) (?:inflate|boost"
     r"|manipulate"
     r"|fake|spread|amplify|harass|flood)\b|\b(?:avoid\w*|evad\w*|fool\w*|trick\w*|beat\w*|get\w* past|bypass\w*)"
     r" (?:[\w'-]+ )?(?:plagiarism|ai|cheating|fraud|spam|malware|anti-?virus) (?:detection|detectors?|checkers?"
     r"|filters?"
     r"|software)\b"),
    ("hacking", "crack passwords or bypass security",
     r"\bbreach\w* (?:[\w'-]+ ){0,3}(?:security|defen[cs]es|firewalls?|systems?|networks?|perimeter|databases?"
     r"|accounts?|documents?|servers?)\b|\bcrack\w* (?:[\w'-]+ ){0,2}(?:passwords?|passcodes?|pins?|encryption"
     r"|wi-?fi|hashes|licen[cs]e keys?"
     r"|security|accounts?|safes?|software)\b|\b(?:bypass\w*|disabl\w*|circumvent\w*|defeat\w*|evad\w*|get\w* around"
     r"|turn\w* off|hack\w*) (?:[\w'-]+ ){0,2}(?:security(?: measures| systems?| controls| features)?|authentication"
     r"|2fa|two-factor|antivirus|anti-virus|firewalls?|drm|copy protection|paywalls?|login|passwords?|captchas?"
     r"|plagiarism (?:detection|checkers?)|detection (?:software|systems?)|anti-cheat\w*|proctoring \w+"
     r"|electronic monitoring|ankle (?:bracelets?|monitors?)|tracking devices?|customs|security checks?"
     r"|privacy (?:settings|restrictions|controls|filters)|spam filters?|fraud detection|ai detectors?"
     r"|alarm systems?|alarms|security cameras?|parental controls|content filters?|censorship|surveillance"
     r"|security protocols?"
     r"|age verification|breathalyzers?|ankle monitors?|speed cameras?|digital rights management"
     r"|licen[cs]e checks?)\b"),
    ("hacking", "steal data",
     r"\btheft of (?:[\w'-]+ ){0,2}(?:credit card|personal|private|sensitive|confidential|identit\w+|data|information"
     r"|trade secrets|intellectual property)\b|\b(?:steal\w*|stole|harvest\w*|exfiltrat\w*|siphon\w*"
     r"|leak\w*) (?:[\w'-]+ ){0,3}(?:sensitive|personal|private"
     r"|confidential|classified|user|users'|customer|login|financial|medical|banking|proprietary) (?:data|information"
     r"|info|details|credentials|records|files|documents)\b|\b(?:steal\w*|stole|phish\w*) (?:[\w'-]+ ){0,2}"
     r"(?:passwords?|credentials|logins?|login (?:details|credentials)|cookies|session tokens|credit card"
     r" (?:information|details|numbers?|data)|bank (?:details|account information))\b"),
    ("hacking", "hijack",
     r"\bcrash(?:es|ing)? (?:a |the |someone's |their )?(?:[\w'-]+ ){0,1}(?:computers?|systems?|servers?|websites?"
     r"|networks?)\b(?! (?:when|while|because|after|if|every|often|randomly))|\bhijack\w* (?:[\w'-]+ ){0,3}(?:cars?"
     r"|vehicles?|accounts?|webcams?|cameras?|drones?|computers?|devices?"
     r"|phones?|planes?|systems?|networks?|sessions?|control systems?|domains?|browsers?|trucks?|websites?)\b"
     r"|\b(?:take|taking|gain\w*|seiz\w*) (?:remote )?control (?:of|over) (?:[\w'-]+ ){0,3}(?:cars?|vehicles?"
     r"|drones?|planes?|aircraft|devices?|computers?|webcams?|iot|(?:someone|people)'s \w+)\b"),
    # -- fraud, scams and forgery
    ("fraud", "fraud",
     r"\b(?:commit\w*|perpetrat\w*|engag\w* in|carry\w* out|pull\w* off|get\w* away with|run\w*|organi[sz]\w*"
     r"|set\w* up) (?:[\w'-]+ ){0,3}(?:fraud|scams?|swindles?|cons|con games?|grifts?)\b"
     r"|\bfor fraudulent (?:purposes|activities|use|means|reasons)\b|\bfraudulent(?:ly)? (?:obtain\w*|claim\w*"
     r"|charges? on|transactions? (?:on|with|using)|use)\b|\bfraudulently\b|\bdefraud\w*"),
    ("fraud", "scams",
     rf"\bscam\w* (?:[\w'-]+ ){{0,2}}{PERSON}\b|\b(?:scam|cheat|trick|con|swindl|fleec|dup)\w* (?:[\w'-]+ ){{0,3}}"
     r"(?:out of|into (?:giving|paying|sending|transferring|investing))\b"
     r"|\b(?:write|writ\w*|creat\w*|design\w*|draft\w*|send\w*"
     r"|craft\w*|develop\w*|set\w* up|launch\w*|generat\w*|execut\w*|run\w*|pull\w* off|orchestrat\w*|start\w*"
     r"|conduct\w*|perform\w*|carry\w* out)"
     r" (?:[\w'-]+ ){0,4}(?:phishing|scams?|ponzi|pyramid)\b"
     r"|\b(?:ponzi|pyramid) schemes?\b|\bcatfish\w*|\bfake (?:online )?(?:stores?|shops?|charit(?:y|ies)"
     r"|lotter(?:y|ies)|giveaways?|invoices?|job (?:offers?|postings?)|investments?|companies|websites?|profiles?"
     r"|social media accounts?|accounts?|identit(?:y|ies)|personas?|fundraisers?|crowdfunding)\b"),
    ("fraud", "forgery and counterfeiting",
     r"\bcounterfeiting\b|\bcounterfeit (?:[\w'-]+ )?(?:money|currency|bills|banknotes|notes|coins|goods|products"
     r"|items"
     r"|merchandise|handbags|watches|clothing|drugs|medicines?|pills|documents?|ids?|passports?|checks?|cheques?"
     r"|tickets|software|parts|cards?|luxury \w+|designer \w+)\b|\bforg(?:e|es|ing"
     r"|ed) (?:[\w'-]+ ){0,3}(?:signatures?|documents?|checks?|cheques?"
     r"|passports?|ids?|identit\w+|prescriptions?|notes?|wills?|certificates?|diplomas?|degrees?|currency|money"
     r"|bills|receipts?|papers|records|licen[cs]es?|paintings?|artwork)\b|\bforger(?:y|ies)\b"
     r"|\bfake (?:ids?|passports?|driver'?s licen[cs]es?|licen[cs]es?|diplomas?|degrees?|certificates?|documents?"
     r"|doctor'?s notes?|medical (?:records|notes?|certificates?)|prescriptions?|receipts?|money|currency|bills"
     r"|banknotes|checks?|cheques?|social security (?:numbers?|cards?)|(?:[\w'-]+ )?reviews?|ratings|testimonials?"
     r"|ballots?"
     r"|votes?|signatures?|insurance claims?|claims?|credentials|references)\b|\bfalsif(?:y|ying|ied|ies)"
     r" (?:[\w'-]+ ){0,3}(?:records?|documents?|data|results|evidence|reports?|statements?|accounts?|taxes"
     r"|tax returns?|information|credentials|timesheets?|expenses?)\b"
     r"|\breviews? (?:[\w'-]+ ){0,6}(?:you|i|we) (?:have |has )?(?:not|never|haven't|didn't) (?:even )?"
     r"(?:used|tried|tested|bought|purchased|read|seen|visited)\b"),
    ("fraud", "identity theft and impersonation",
     r"\bidentity theft\b|\bsteal\w* (?:[\w'-]+ ){0,2}identit(?:y|ies)\b|\bimpersonat\w* (?:[\w'-]+ ){0,2}"
     r"(?:police|officers?|officials?|doctors?|a bank|bank (?:employees?|staff)|government (?:officials?|agents?)"
     r"|the irs|irs agents?|a minor|someone else|another person|a real person|someone|somebody|people|others|users"
     r"|a person|my \w+)\b|\bpos(?:e|es|ing) as (?:a |an )?"
     r"(?:[\w'-]+ )?(?:minor|child|teen|teenager|police officer|officer|doctor|nurse|bank|government official"
     r"|trusted|charity|representative|news source|journalist)\b|\bus(?:e|ing) (?:a |someone else's"
     r" |another person's |someone's )?(?:fake|stolen|false) (?:identit(?:y|ies)|credit cards?|ids?)\b"),
    ("fraud", "financial crime",
     r"\b(?:launder(?:ing)? money|money launder(?:ing)? (?:schemes?|operations?|techniques|methods))\b"
     r"|\blaunder\w* (?:[\w'-]+ ){0,2}(?:money|cash|funds|proceeds)\b"
     r"|\b(?:evad\w*|dodg\w*|cheat\w* on) (?:[\w'-]+ ){0,2}tax(?:es)?\b"
     r"|\bavoid\w* (?:paying )?(?:[\w'-]+ ){0,2}tax(?:es)?"
     r" (?:illegally|without (?:getting caught|being caught|paying))\b|\btax evasion\b|\bembezzl\w*"
     r"|\bmanipulat\w* (?:[\w'-]+ ){0,3}(?:stocks?(?: prices?)?|stock market|share prices?|(?:financial )?markets?"
     r"|prices|exchange rates?|crypto(?:currency)?(?: prices?)?|financial (?:data|records|statements)|interest rates"
     r"|(?:customer )?ratings|reviews|search (?:engine )?(?:results|rankings)|rankings|elections?|polls|the market)\b"
     r"|\bpump[- ]and[- ]dump\b|\b(?:market|stock(?: price)?|price) manipulation\b"
     r"|\bsteal\w* (?:[\w'-]+ ){0,3}(?:money|funds|cash|savings"
     r"|donations|from (?:a |the )?(?:charity|company|employer|bank|nonprofit|customers|investors))\b"),
    ("fraud", "manipulate or deceive people",
     r"\b(?:manipulat\w*|trick\w*|deceiv\w*|coerc\w*|pressur(?:e|ing)|lur(?:e|ing)|dup(?:e|ing)|brainwash\w*"
     rf"|gaslight\w*|exploit\w*|groom\w*|blackmail\w*|guilt-?trip\w*) (?:[\w'-]+ ){{0,2}}{PERSON}"
     r" (?:[\w'-]+ ){0,3}(?:into|to (?:give|hand|reveal|send|pay|do|commit|hurt|harm|kill|believe|share|transfer"
     r"|click|download|invest|sign)|for (?:financial|personal|their|money|profit))\b"
     r"|\b(?:manipulat(?:e|ing)|brainwash(?:ing)?|gaslight(?:ing)?|emotionally (?:abus\w*|manipulat\w*)"
     rf"|psychologically (?:abus\w*|manipulat\w*|torment\w*)) {DET}{ADJ}{PERSON}\b"
     r"|\b(?:exploit\w*|target\w*|prey\w* on) (?:[\w'-]+ ){0,2}(?:vulnerable|lonely|grieving|elderly|desperate)"
     r" (?:people|populations|individuals|groups|persons|users|children|adults|elderly|seniors|women|men)\b"
     r"|\bsocial engineering (?:tactics|attacks?|techniques|scams?|tricks)\b"
     r"|\b(?:psychological|manipulation) (?:tactics|tricks|techniques) to (?:control|manipulate|exploit|get)\b"
     r"|\bmanipulat(?:e|ing) (?:people|someone|others) (?:using|with|through)\b"),
    ("fraud", "cheat on exams", r"\bcheat\w* (?:on|in|at|during) (?:[\w'-]+ ){0,2}(?:exams?|tests?|quiz(?:zes)?"
                                r"|assessments?|sats?|finals|midterms|certifications?|detection|proctor\w*)\b"
                                r"|\bplagiari[sz](?:e|ing)\b"),
    # -- theft
    ("theft", "steal",
     r"\b(?:rob|robbing) (?:a |an |the |my |someone|somebody|people|banks?|stores?|houses?|homes?|\w+'s )"
     r"|\b(?:steal|stealing|burglari[sz]e|loot|looting|shoplift|shoplifting|pickpocket|pickpocketing|swip(?:e|ing)"
     r" (?:a |an |someone's )?(?:wallet|purse|phone))\b(?! (?:the show|the spotlight|the scene|a base|a glance"
     r"|a kiss|a look|a moment|(?:someone's|my|your|his|her|their) (?:heart|thunder)))"
     r"|\bbreak\w* into (?:a |an |the |someone's |somebody's |my neighbou?r's |people's )?(?:[\w'-]+ ){0,2}"
     r"(?:house|home|homes|car|cars|vehicle|store|shop|building|apartment|office|facility|locations?|vault|safe"
     r"|atm|premises|warehouse|garage)\b|\b(?:pick\w*|bump\w*) (?:a |the )?locks?\b|\block[- ]?picking\b"
     r"|\bhot-?wir\w* (?:a |the )?(?:car|vehicle|motorcycle)\b|\bcar theft\b|\btrespass(?:ing)? (?:on|onto|into|or)\b"
     r"|\bhow to trespass\b|\binfiltrat\w* (?:[\w'-]+ ){0,2}(?:secure |secured |government |military )?"
     r"(?:facilit\w+|buildings?|agenc\w+|bases?|compounds?|premises)\b"),
    ("theft", "piracy",
     r"\bpirat(?:e|ed|ing) (?:[\w'-]+ ){0,2}(?:software|movies?|films?|music|games?|content|books?|media|copies)\b"
     r"|\bpirated\b|\billegally (?:download|stream|distribut|shar|cop)\w*\b|\btorrent\w* (?:[\w'-]+ ){0,2}"
     r"(?:copyrighted|pirated)\b|\bcrack(?:ed)? (?:versions? of|software)\b|\bdownload\w* (?:[\w'-]+ ){0,2}"
     r"copyrighted (?:material|content|movies|music|software|books)\b"),
    # -- self-harm and eating disorders
    ("self-harm", "suicide",
     r"\b(?:commit|committing|attempt|attempting) (?:[\w'-]+ ){0,1}suicide\b|\bmethods? (?:of|for) suicide\b"
     rf"|\b(?:kill|killing) {SELF}\b|\bend(?:ing)? (?:my|your|his|her|their|one's) (?:own )?li(?:fe|ves)\b"
     r"|\btake (?:my|your|his|her|their) (?:own )?li(?:fe|ves)\b|\bsuicide (?:methods?|notes?|pacts?|kits?"
     rf"|instructions|guides?|challenges?)\b|\bhang(?:ing)? {SELF}\b|\b(?:drive|push|driv\w*|pushing|manipulat\w*"
     rf"|encourag\w*|convinc\w*|persuad\w*|talk\w*) (?:[\w'-]+ ){{0,2}}{PERSON} (?:into |to )?(?:commit\w* )?"
     r"(?:suicide|killing (?:themselves|himself|herself)|kill (?:themselves|himself|herself))\b"),
    ("self-harm", "self-harm",
     r"\bself[- ]?harm\w*\b(?! (?:prevention|awareness|support|recovery))|\bself[- ]?injur\w*\b"
     r"|\bself[- ]?mutilat\w*\b"
     rf"|\b(?:cut\w*|hurt\w*|harm\w*|burn\w*|starv\w*|injur\w*|punish\w*|poison\w*) {SELF}\b"
     r"|\bcutting (?:and|or) (?:self-harm|suicide)\b"),
    ("self-harm", "promote eating disorders",
     rf"\b{PROMOTE} {PROMOTE_GAP}(?:anorexia|bulimia|eating disorders?|starvation|starving|purging"
     rf"|extreme (?:dieting"
     r"|diets?|weight loss|fasting)|suicid\w*|self-harm|self-starvation|unhealthy (?:dieting|weight loss|eating)"
     r"|dangerous dieting)\b"
     r"|\bpro-?(?:ana|mia)\b|\bpro-(?:anorexia|bulimia|eating disorders?|suicide|self-harm)\b"
     r"|\binduc\w* (?:[\w'-]+ ){0,1}(?:dangerous )?(?:eating disorders?|anorexia|bulimia)\b|\b(?:anorexia|bulimia"
     r"|eating disorders?) (?:as|is) (?:a )?(?:healthy|good|positive"
     r"|lifestyle|desirable)\b|\b(?:hide|hiding|conceal\w*) (?:my |your |an? )?(?:eating disorder|anorexia"
     r"|bulimia|self-harm|cuts|scars)\b"),
    # -- hate and harassment
    ("hate", "hate speech",
     r"\b(?:promot\w*|spread\w*|writ(?:e|es|ing)|generat\w*|creat\w*|automat\w*|post\w*|us(?:e|es|ing)|produc\w*"
     r"|incit\w*|send\w*|publish\w*|host\w*|draft\w*|compos\w*|join\w*|start\w*|organi[sz]\w*) (?:[\w'-]+ ){0,3}"
     r"hate (?:speech|messages?|mail|letters?|propaganda|campaigns?|groups?|sites?|websites?|posts?|content|rhetoric"
     r"|literature|songs?|rallies|rally)\b"
     rf"|\b{PROMOTE} {PROMOTE_GAP}(?:racism|sexism|hatred|hate|bigotry|discrimination|intolerance"
     rf"|racial (?:tensions?"
     r"|hatred|violence|superiority|segregation)|white supremacy|supremacis\w+|nazism|neo-nazi\w*|fascism"
     r"|antisemitism|anti-semitism|islamophobia|xenophobia|homophobia|transphobia|misogyny|extremism|radicalism"
     r"|division|oppression|dehumani[sz]ation|segregation|ethnic cleansing|apartheid|racial tensions|disdain|contempt"
     r"|hostility|animosity|resentment|ethnocentrism|prejudice|hateful acts|violent acts|violent rhetoric"
     r"|hate-based \w+)\b|\b(?:hateful|violent|inflammatory) rhetoric\b|\bden(?:y|ies|ying|ial of) (?:[\w'-]+ ){0,3}"
     r"(?:genocides?|the holocaust|holocaust)\b|\bholocaust denial\b"),
    ("hate", "slurs and insults for a group",
     r"\b(?:insults?|slurs?|taunts?|put-downs|mean jokes|racist jokes|sexist jokes|offensive (?:jokes|terms|names"
     r"|words)"
     r"|derogatory (?:names|terms|jokes|words|phrases)|(?:provocative|offensive|hateful|inflammatory|negative|harmful"
     r"|racist|sexist) (?:messages|posts|content|comments|remarks|jokes|terms|names|words|generali[sz]ations"
     r"|stereotypes|statements|claims|language)) (?:for|about|against|towards?|of|targeting|aimed at|mocking"
     r"|that (?:mock|demean|insult|offend))"
     rf" (?:[\w'-]+ ){{0,2}}{GROUP}\b|\b(?:racist|sexist|homophobic|transphobic|bigoted|misogynistic|antisemitic"
     r"|xenophobic|ableist|hateful|derogatory|demeaning|discriminatory|offensive|inflammatory|incendiary)"
     r" (?:[\w'-]+ ){0,1}(?:jokes?|slurs?"
     r"|remarks?|comments?|insults?|content|posts?|tweets?|messages?|memes?|chants?|songs?|rants?|captions?"
     r"|lyrics|slogans?|propaganda|language (?:to|that|for|against|aimed))\b|\b(?:mean|cruel|hurtful"
     r"|nasty) (?:stereotypes?|jokes?|names|insults?"
     r"|comments?) (?:about|for|of)\b|\bmak\w* (?:[\w'-]+ ){0,2}(?:racist|sexist|discriminatory)(?: (?:or|and)"
     r" (?:racist|sexist|discriminatory))? (?:decisions|choices|predictions|judgments)\b"),
    ("hate", "demean a group",
     r"\b(?:mock\w*|ridicul\w*|demean\w*|belittl\w*|humiliat\w*|insult\w*|degrad(?:e|es|ing)|dehumani[sz]\w*"
     r"|disparag\w*|denigrat\w*|vilif\w*|discriminat(?:e|es|ing) against|make fun of|making fun of|laugh\w* at"
     r"|shame|shaming|bully\w*|harass\w*|troll\w*|segregat(?:e|ing)|oppress(?:es|ing)?|persecut(?:e|ing)"
     r"|exterminat\w*|wipe out|get rid of|discredit\w*|disrespect\w*|undermin\w*|portray\w*|jokes? (?:that|which)"
     rf" (?:mock|make fun of|ridicule)) (?:[\w'-]+ ){{0,3}}{GROUP}\b(?!(?: [\w'-]+)? (?:positively|fairly|accurately"
     r"|respectfully|in a positive light))|\b(?:content|posts?|messages?|propaganda|memes?) (?:that|which|to)"
     rf" target\w* {GROUP}\b"
     r"|\b(?:target|profil|classif|categori[sz]|sort|discriminat)\w* (?:[\w'-]+ ){0,2}(?:people|individuals|users"
     r"|someone"
     r"|persons|others|applicants|employees|tenants|customers) (?:based on|because of|according to|by) (?:their )?"
     r"(?:age|race|religion|gender|ethnicity|sexual orientation|disabilit\w+|nationality|skin colou?r|appearance"
     r"|protected \w+|online (?:habits|behaviou?r|activit\w+))\b"
     rf"|\b(?:say|saying|says|claim\w*|argu\w*|prov\w*|show\w*|explain\w* why|that|why) (?:[\w'-]+ ){{0,1}}{GROUP}"
     rf" (?:are|is|were) (?:all |naturally |genetically |inherently |just |so |too )?{GROUP_INSULT}\b"
     rf"|\b(?:say|saying|says|claim\w*|argu\w*|prov\w*|show\w*|explain\w* why|that|why) (?:[\w'-]+ ){{1,2}}(?:are|is"
     r"|were) (?:all |naturally |genetically |inherently |just |so |too )?(?:stupid|inferior|subhuman|worthless"
     r"|idiots|savages|(?:worse|dumber|lazier|less (?:intelligent|capable|human)) than (?:others|everyone|everybody"
     r"|the rest|us|men|women|other \w+|\w+ people))\b"
     rf"|\b{GROUP} (?:should|must|shall) (?:not|never|n't)(?: be allowed to| be permitted to| have the right to)?"
     r" (?:work|vote|drive|marry|live|exist|have|hold|lead|own|study|go|enter|speak|adopt|serve|be|get|teach"
     r"|run)\b|\b" + GROUP + r" (?:should|must) be (?:banned|deported|expelled|removed|killed|eliminated"
     r"|exterminated|segregated|locked up|sterili[sz]ed|punished|excluded)\b"
     r"|\b(?:posts?|articles?|speech|speeches|messages?|essays?|letters?|tweets?|content|propaganda|rants?"
     r"|campaigns?)"
     rf" (?:against|attacking|targeting|hating|demoni[sz]ing) {GROUP}\b"
     rf"|\bwhy (?:are|is|do|does|can't|cannot|should|shouldn't) (?:all |most )?{GROUP} (?:so |always |naturally"
     r" |such |generally |inherently )?(?:worse|inferior|bad at|terrible|stupid|dumb|dumber|lazy|lazier|weaker"
     r"|weak|dirty|violent|criminals?|greedy|evil|ugly|unintelligent|less intelligent|incapable"
     r"|not (?:be )?(?:allowed"
     r"|permitted|given|have|get|vote|drive|work|lead|marry))\b"
     rf"|\b{GROUP} (?:are|is) (?:all |naturally |genetically |inherently )?(?:inferior|subhuman|vermin|animals"
     r"|savages|not human|less intelligent|a disease|parasites)\b"),
    ("harassment", "bully or harass someone",
     r"\bcyber-?bull\w*|\bcyber-?stalk\w*|\b(?:bull(?:y|ies|ying)|harass(?:es|ing)?|torment(?:s|ing)?"
     r"|intimidat(?:e|es|ing)|stalk(?:s|ing)?|troll(?:s|ing)?|humiliat(?:e|es|ing)|sham(?:e|es|ing)|mock(?:s|ing)?"
     r"|insult(?:s|ing)?|ridicul(?:e|es|ing)|blackmail(?:s|ing)?|terrori[sz](?:e|es|ing)|demean(?:s|ing)?"
     rf"|belittl(?:e|es|ing)|make fun of|making fun of|target(?:s|ing)?)(?: (?:and|or) \w+)? (?:(?:{DET}{ADJ}"
     rf"(?!customers\b|users\b)(?:{P}))\b|(?:someone's|somebody's|a person's|an individual's|people's) [\w'-]+)"
     r"|\bget(?:ting)? (?:[\w'-]+ ){0,2}(?:" + P + r") (?:fired|arrested|expelled|deported|evicted|suspended"
     r"|in trouble|beaten up)\b"
     rf"|\b{PROMOTE} {PROMOTE_GAP}(?:bullying|to bully|harassment|to harass|stalking|trolling|cyberbullying"
     rf"|(?:public )?shaming"
     r"|humiliation)\b|\bharassment (?:campaigns?|bots?|apps?|tactics|strategies|techniques)\b|\bagainst (?:their"
     r"|his|her) (?:will"
     r"|wishes|consent)\b"
     r"|\bdox(?:x)?(?:ing|ed|es)?\b|\bswatt?ing\b|\brevenge porn\b|\bruin (?:[\w'-]+ ){0,2}reputation\b"
     r"(?<!your reputation)(?<!my reputation)(?<!our reputation)|\bsmear campaigns?\b|\bdefam(?:e|es|ing)\b"
     r"|\b(?:spread\w*|start\w*|post\w*) (?:[\w'-]+ ){0,2}(?:embarrassing|private|intimate) (?:photos?|pictures?"
     r"|videos?|secrets?|information)\b"),
    # -- sexual content
    ("sexual", "sexual content involving minors",
     r"\bchild (?:porn\w*|sexual abuse material|sex\w*|erotica|nudity)\b|\bcsam\b|\bpedophil\w* (?:content"
     r"|material|stories|images)\b|\b(?:sexual|sexually explicit|erotic|nude|naked|intimate) (?:content|images?"
     r"|photos?|pictures?|videos?|stor(?:y|ies)|material|role-?play|acts?) (?:[\w'-]+ ){0,2}(?:of|with|involving"
     r"|featuring) (?:a |an )?(?:minors?|child|children|kids?|underage|teens?|teenagers?|\d{1,2}[- ]year[- ]olds?)\b"
     r"|\b(?:solicit\w*|groom(?:s|ing)?|seduc\w*|lur(?:e|ing)) (?:[\w'-]+ ){0,2}(?:minors?|children|child|kids?"
     r"|underage|teens?|teenagers?|young (?:girls?|boys?))\b|\bsexual (?:[\w'-]+ ){0,2}(?:conversations?|acts?"
     r"|contact|messages?|chats?|relations|favou?rs) (?:with|from) (?:[\w'-]+ ){0,2}(?:minors?|children|child|kids?"
     r"|underage|strangers?|teens?|students?)\b"),
    ("sexual", "explicit sexual content",
     r"\b(?:sexually explicit|explicit|erotic|pornographic|porn|nsfw|x-rated|lewd|obscene|smutty|raunchy)"
     r" (?:[\w'-]+ ){0,2}(?:content|stor(?:y|ies)|images?|photos?|pictures?|videos?|captions?|scenes?|role-?play"
     r"|sexting|fan ?fic(?:tion)?|poems?|material|chat|drawings?|novel|lyrics|fantas(?:y|ies)|descriptions? of sex"
     r"|conversations?|messages|texts|text messages|chat exchanges|sexual \w+"
     r"|sex scenes?)\b|\b(?:make|making|creat\w*|produc\w*|film\w*|writ\w*|generat\w*|shar(?:e|ing)|post\w*|send\w*"
     r"|distribut\w*|sell\w*|download\w*|upload\w*) (?:[\w'-]+ ){0,2}(?:porn|porno|pornography|pornographic \w+)\b"
     r"|\b(?:deepfake|fake) (?:[\w'-]+ ){0,1}(?:porn\w*|nudes?"
     r"|nude (?:images?|photos?|videos?)|sex \w+)\b|\b(?:nudes?|naked (?:photos?|pictures?|images?)) of\b"
     r"|\bupskirt\w*\b|\bsextort\w*\b|\bin an? (?:sexual|sexy|erotic|seductive|lewd|sexually explicit|pornographic"
     r"|nsfw|kinky) (?:way|manner|tone|style|light|pose|context)\b|\b(?:nude|naked|sexual|sexy|explicit|intimate|lewd"
     r"|topless|revealing) (?:[\w'-]+ )?(?:photos?|pictures?|pics|images?|videos?|messages?|texts?|content|clips?"
     rf"|footage) (?:of|to|about|with|from) {DET}{ADJ}(?:{P}|\w+'s)\b|\bexplicit (?:[\w'-]+ )?(?:selfies|scripts"
     rf"|games|details (?:of|about) (?:a |the )?"
     r"(?:[\w'-]+ )?(?:sexual|sex))\b|\b(?:describ\w*|detail\w*) (?:[\w'-]+ ){0,3}(?:sexual acts?|sex acts?"
     r"|fetish\w*)\b|\b(?:sex|sexual) (?:scenes?|stor(?:y|ies)) (?:with|involving|about)\b"),
    # -- privacy
    ("privacy", "stalk or track someone",
     r"\b(?:stalk\w*|spy\w* on|surveil\w*|monitor\w*|track\w*|follow\w*|watch\w*|record\w*|film\w*|photograph\w*"
     rf"|eavesdrop\w* on|wiretap\w*"
     rf"|read\w*) (?:[\w'-]+ ){{0,2}}{PERSON}(?:'s)? (?:[\w'-]+ ){{0,3}}(?:without (?:their"
     r"|his|her|the)? ?(?:knowledge|consent|permission|knowing)|secretly|covertly)\b"
     r"|\bsecretly (?:record\w*|film\w*|track\w*|monitor\w*|photograph\w*|watch\w*|spy\w*|read\w*|follow\w*"
     r"|listen\w*|install\w*)\b|\bwithout (?:their|his|her|the user's|users'|the owner's|someone's|anyone's|user"
     r"|the person's|people's|the employees'|employees'|the parents') (?:knowledge|consent|permission|knowing"
     r"|awareness)\b"
     r"|\bwithout (?:(?:any |their |the )?(?:permission|consent|authori[sz]ation)\b(?! (?:from|of) (?:the )?(?:author"
     r"|copyright|publisher))|informing (?:them|him|her|the user|users|employees|people|anyone)|(?:them|him|her"
     r"|anyone|the user) (?:knowing|noticing|finding out))\b|\bhidden (?:cameras?"
     r"|microphones?|trackers?|tracking devices?|spy \w+)\b|\b(?:gps )?track\w* (?:[\w'-]+ ){0,2}(?:someone's"
     r"|somebody's|a person's|people's|my (?:wife|husband|partner|girlfriend|boyfriend|ex|spouse)'s|his|her|their)"
     r" (?:[\w'-]+ ){0,1}(?:location|phone|movements|whereabouts)\b"
     r"|\b(?:gps )?track\w* (?:[\w'-]+ ){0,1}(?:location|phones?"
     rf"|movements|whereabouts|car|emails?|messages) of {DET}{ADJ}(?:{P})\b"
     rf"|\bsp(?:y|ying|ies) on (?:and \w+ )?{DET}{ADJ}{PERSON}\b|\bspy (?:software|apps?|tools?|cameras?)\b"),
    ("privacy", "surveil or profile someone",
     r"\b(?:tap|tapping|wiretap\w*|intercept\w*|eavesdrop\w*|listen\w* in on|bug|bugging|record\w*|monitor\w*"
     r"|read\w*|access\w*|track\w*|trac(?:e|ing)|map\w*|log\w*|spy\w* on|follow\w*|extract\w*|gather\w*"
     r"|obtain\w*|pull\w*|retriev\w*|analy[sz]\w*) (?:into |data from |information from )?(?:[\w'-]+ ){0,2}"
     r"(?:someone's|somebody's|a person's|another person's|other people's|people's|an ex's|a stranger's|employees'"
     r"|users'|my (?:wife|husband|partner|girlfriend|boyfriend|ex|spouse|employees?|kids?|children|teen|boss"
     r"|neighbou?r|roommate|co-?worker)'s) (?:[\w'-]+ ){0,2}(?:phones?|calls?|conversations?|messages|texts"
     r"|emails?|communications?|location|movements|whereabouts|daily routines?|activit(?:y|ies)|browsing history"
     r"|search history|calendar|smartwatch|devices?|cloud|storage|accounts?|photos|camera|webcam|credit history"
     r"|medical records|(?:protected )?health (?:records|data|information)|diary|journal|private \w+|personal \w+)\b"
     r"|\b(?:tap|tapping|wiretap\w*|intercept\w*|eavesdrop\w* on|listen\w* in on|bug|bugging|record\w*|monitor\w*"
     r"|read\w*|access\w*|spy\w* on) (?:[\w'-]+ ){0,2}(?:private|personal|encrypted"
     r"|confidential) (?:[\w'-]+ )?(?:chats?"
     r"|conversations?|messages|communications?|calls?|emails?|texts|audio|meetings?)\b"
     r"|\b(?:assess\w*|determin\w*|infer\w*|predict\w*|reveal\w*|guess\w*|identify\w*|detect\w*|classify\w*"
     r"|deduc\w*) (?:[\w'-]+ ){0,2}(?:someone's|a person's|people's|individuals'|an individual's"
     r"|users') (?:[\w'-]+ )?"
     r"(?:ethnicity|race|religion|sexual orientation|sexuality|health|political views|immigration status|identity"
     r"|home|address|location|income)\b|\bidentify\w* (?:[\w'-]+ ){0,2}(?:individuals|people|someone|strangers"
     r"|persons|a person) (?:by|from|using|through|in) (?:their |his |her )?(?:[\w'-]+ )?(?:voices?|voice patterns?"
     r"|faces?|gait|biometric\w*|photos?|images?|videos?|crowds?|tattoos?)\b"
     r"|\b(?:extract\w*|scrap\w*|harvest\w*|obtain\w*|collect\w*|gather\w*|steal\w*|dump\w*|min(?:e|ing)|sell\w*)"
     r" (?:[\w'-]+ ){0,3}(?:personal(?:ly)? identifiable information|pii|sensitive (?:customer|user|personal|employee"
     r"|patient|financial) (?:data|information|records))\b(?! (?:securely|safely|responsibly|legally|ethically))"
     r"|\b(?:unethical|illegal|covert|warrantless|unauthori[sz]ed) surveillance\b"
     r"|\b(?:covertly|secretly|surreptitiously) (?:[\w'-]+ ){0,1}(?:access\w*|gather\w*|collect\w*|analy[sz]\w*"
     r"|obtain\w*|determin\w*|infer\w*|map\w*|assess\w*|copy\w*|tak(?:e|ing)|log\w*|captur\w*|steal\w*"
     r"|tap\w*|us(?:e|ing)|check\w*|look\w* at|go\w* through)\b"
     r"|\b(?:identify|track|monitor|recogni[sz]e|find|locate|surveil|spy on)\w* (?:[\w'-]+ ){0,3}(?:people"
     r"|individuals?"
     r"|someone|strangers|a person|persons|protesters|users|women|girls)\b(?= (?:[\w'-]+ ){0,5}(?:facial"
     r" recognition|face recognition|biometric))|\b(?:facial|face) recognition (?:[\w'-]+ ){0,4}(?:to )?(?:identify"
     r"|track|monitor|find|locate|spy on|stalk) (?:[\w'-]+ ){0,2}(?:people|individuals?|someone|strangers|persons"
     r"|protesters|women|girls)\b|\b(?:classify|categori[sz]e|identify|predict|infer|determine|detect|profil\w*"
     r"|sort|guess)\w* (?:[\w'-]+ ){0,4}(?:people|individuals|users|someone|persons|a person|employees|applicants)"
     r"(?:'s)? (?:[\w'-]+ ){0,4}(?:sexual orientation|race|religion|ethnicity|political (?:views|affiliation"
     r"|beliefs)|health (?:status|conditions?)|immigration status|gender identity)\b"
     r"|\bunauthori[sz]ed (?:use|collection|tracking|surveillance|recording|copying|data|profiles?|extraction"
     r"|disclosure|monitoring)\b|\bhidden surveillance\b"),
    ("privacy", "expose personal information",
     r"\b(?:find|finding|get|getting|obtain\w*|look\w* up|reveal\w*|leak\w*|expos\w*|publish\w*|share|sharing"
     r"|post\w*|uncover\w*|dig\w* up|access\w*|sell\w*|buy\w*) (?:out )?(?:[\w'-]+ ){0,3}(?:home address(?:es)?"
     r"|(?:personal|private|intimate) (?:address(?:es)?|information|info|data|details|records|life|phone numbers?"
     r"|emails?|photos?|messages|background)|social security numbers?|ssns?|medical (?:records|history)"
     r"|bank (?:details|account (?:numbers?|details))|credit card (?:numbers?|details|information)|passwords?"
     r"|login (?:details|credentials)|real names?|identit(?:y|ies)|ip address(?:es)?) (?:of|for|belonging to"
     r"|about) (?:[\w'-]+ ){0,3}(?:someone|somebody|a person|people|him|her|them|this person|the person|the man"
     r"|the woman|that person|strangers?|users?|customers?|employees?|celebrit\w+|my \w+|an? \w+|his|her|their"
     r"|this \w+|the \w+)\b"
     r"|\b(?:find|finding|locate|locating|identify|identifying|track\w* down|look\w* up|trac(?:e|ing)) (?:out )?"
     r"(?:[\w'-]+ ){0,2}(?:owner|person|people|individual|someone|who (?:owns|lives|is behind)|where (?:he|she"
     r"|they|someone|this person|the person) (?:lives?|works?|is))\b(?= (?:[\w'-]+ ){0,4}(?:from|by|using|with"
     r"|through|behind|of) (?:[\w'-]+ ){0,2}(?:phone numbers?|licen[cs]e plates?|number plates?|ip address(?:es)?"
     r"|email address(?:es)?|address|photos?|images?|faces?|pictures?|usernames?)\b)"
     r"|\b(?:phone numbers?|licen[cs]e plates?|number plates?|ip address(?:es)?|email address(?:es)?|faces?)"
     r" (?:[\w'-]+ ){0,5}(?:find|identify|locate|track down|look up|trace) (?:the |their |its |his |her )?"
     r"(?:owner|person|identity|address|location|home|name)\b"
     r"|\b(?:home|residential|private|personal|current) address(?:es)? (?:of|for) (?:[\w'-]+ ){0,2}(?:my \w+"
     r"|someone|somebody|a person|this person|the person|the man|the woman|that person|this (?:man|woman|girl|boy)"
     r"|the (?:girl|boy) in)\b|\bwhere (?:does|do) (?:my |this |that )?(?:ex|ex-\w+|neighbou?r|boss|co-?worker"
     r"|classmate|teacher|crush|girlfriend|boyfriend|wife|husband|this person|that person|the person in \w+ \w+)"
     r" (?:live|work|sleep|stay)\b"
     r"|\bwhere (?:does )?(?:the|this|that) (?:person|man|woman|girl|boy|child) (?:in (?:the|this) (?:image|photo"
     r"|picture) )?lives?\b|\b(?:collect\w*|harvest\w*|scrap\w*|gather\w*|sell\w*|shar\w*) (?:[\w'-]+ ){0,2}"
     r"(?:personal|private|user|users'|customer) (?:data|information|details)\b(?= (?:[\w'-]+ ){0,6}without\b|"
     r" (?:from|off|by scraping) (?:[\w'-]+ ){0,2}(?:public|publicly|social media|websites?|e-commerce|online|records"
     r"|databases?|profiles?))"),
    # -- disinformation and elections
    ("disinformation", "create or spread false information",
     r"\b(?:creat\w*|writ(?:e|ing)|generat\w*|mak(?:e|ing)|produc\w*|publish\w*|post(?:s|ing)?|draft\w*"
     r"|compos\w*|craft\w*|design\w*|invent\w*|fabricat\w*|disseminat\w*|circulat\w*|promot\w*|share|sharing|spread"
     r"(?:s|ing)?(?! of\b)"
     rf"|start\w*|launch\w*|develop\w*|push\w*|amplif\w*|proliferat\w*|boost\w*) {SAFE_GAP}{FALSE_CONTENT}\b"
     r"|\bfake news\b|\b(?:hoax|propaganda|disinformation|misinformation) (?:websites?|sites?|articles?"
     r"|stor(?:y|ies)|campaigns?|posts?|messages?|videos?|accounts?|bots?|networks?)\b|\bmisleading (?:[\w'-]+ )?"
     r"(?:claims?|stor(?:y|ies)|articles?|posts?|headlines?|ads?|advertisements?) (?:that|about|claiming)\b"
     r"|\b(?:creat\w*|writ(?:e|ing)|generat\w*|spread\w*|post\w*|publish\w*|shar(?:e|ing)|produc\w*|design\w*)"
     r" (?:[\w'-]+ ){0,2}(?:misleading|deceptive|manipulative) (?:information|content|claims?|news|stor(?:y|ies)|ads?"
     r"|advertisements?|advertising|reports?|statistics|data|photos?|testimonials?|reviews?|posts?|messages?"
     r"|headlines?"
     r"|campaigns?|marketing)\b"
     r"|\b(?:make|making|get|getting|convinc\w*|persuad\w*|trick\w*) (?:[\w'-]+ ){0,2}(?:people|the public|voters"
     r"|readers|everyone|others) (?:to )?believ\w* (?:lies|false|fake|that (?:[\w'-]+ ){0,4}(?:is|are|was|were)"
     r" (?:fake|a hoax|dangerous|poison\w*|staged))\b|\bclaim\w*[^.?!]{0,80}?without (?:any )?(?:scientific )?"
     r"(?:evidence|proof)\b|\bvaccines? (?:cause|causes|causing) (?:autism|death|infertility|cancer)\b"
     r"|\bfalse (?:report|claim|story|rumou?r|statement) (?:that|saying|claiming)\b"
     r"|(?<!the )(?<!a )\b(?:claim(?:s|ing)?|argu(?:e|es|ing)|insist\w*|prov(?:e|es|ing)"
     r"|convinc\w* \w+) that [^.?!]{0,60}? (?:is|are|was|were) (?:all |just )?"
     r"(?:a hoax|fake|a lie|lies|a myth|made up|staged|a conspiracy|a scam|poison\w*)\b"
     r"|\b(?:intentionally |deliberately |knowingly )?mislead\w* (?:the public|consumers|voters|customers|people"
     r"|readers|investors|patients|the government|regulators|the court)\b"),
    ("disinformation", "interfere with elections",
     r"\b(?:rig\w*|steal\w*|manipulat\w*|interfer\w* with|undermin\w*|sabotag\w*|hack\w*|subvert\w*|overturn\w*)"
     r" (?:[\w'-]+ ){0,2}(?:elections?|the vote|votes|voting|ballots?|polls|referendums?|electoral|contests?"
     r"|competitions?|lotter(?:y|ies)|voting systems?)\b"
     r"|\b(?:stop\w*|prevent\w*|discourag\w*|suppress\w*|keep\w*|block\w*|scar\w*|intimidat\w*) (?:[\w'-]+ ){0,3}"
     r"(?:people|voters|citizens|them|minorities|\w+) from (?:voting|the polls|casting)\b"
     r"|\bvoter (?:suppression|fraud|intimidation)\b|\bvot(?:e|ing) (?:twice|multiple times|more than once)\b"
     r"|\bballot (?:stuffing|tampering)\b|\bfake (?:ballots|votes|voter)\b"),
    # -- dangerous medical advice and fake cures
    ("medical", "fake cures and dangerous medical advice",
     r"\b(?:fake|counterfeit|bogus|sham|unapproved|fraudulent|phony|knock-?off) (?:[\w'-]+ ){0,2}"
     r"(?:pills?|medicines?|medications?|drugs?|cures?|treatments?|vaccines?|supplements?|remed(?:y|ies)|tablets"
     r"|prescriptions?|doctors?|covid tests?|vaccination cards?)\b|\b(?:sell\w*|market\w*|advertis\w*|promot\w*)"
     r" (?:[\w'-]+ ){0,3}(?:cures? for|cure|treatments? for) (?:cancer|covid|hiv|aids|diabetes|autism|alzheimer's)\b"
     r"|\b(?:drink\w*|ingest\w*|inject\w*|swallow\w*) (?:[\w'-]+ ){0,1}(?:bleach|disinfectant|mms|chlorine dioxide"
     r"|turpentine|kerosene|antifreeze)\b|\b(?:stop|quit|refus\w*) (?:taking )?(?:[\w'-]+ ){0,1}"
     r"(?:insulin|chemotherapy|chemo|medications?|meds|vaccines?|antibiotics) (?:and|to|instead)\b"
     r"|\binstead of (?:[\w'-]+ ){0,2}(?:chemotherapy|chemo|insulin|vaccines?|seeing a doctor)\b"
     r"|\b(?:perform|do) (?:[\w'-]+ ){0,2}(?:surgery|abortion|an abortion) (?:on (?:myself|yourself|herself"
     r"|someone)|at home)\b"),
    # -- generic patterns last: a more specific category above names the harm better
    ("crime", "evade detection",
     r"\b(?:without|avoid\w*|evad\w*|escap\w*|elud\w*) (?:getting |being )?(?:caught|detected|detection|traced"
     r"(?: back)?|tracked|identified|exposed|arrested|prosecuted"
     r"|leaving (?:any |a )?(?:evidence|traces?|fingerprints|dna|a trail)|a trace)\b"
     r"|\b(?:avoid\w*|evad\w*|escap\w*|elud\w*|outrun\w*|hid(?:e|ing) from) (?:the )?(?:police|law enforcement"
     r"|authorities|cops|investigators|the fbi)\b|\b(?:remain|remaining|stay|staying|go|going) undetected\b"
     r"|\bget(?:ting)? away with (?:it|murder|a crime|crimes?|\w+ing)\b"
     r"|\bmake it (?:look|seem|appear) like (?:an? )?(?:accident|suicide|natural)\b|\b(?:dispos(?:e|ing)|hid(?:e|ing)"
     r"|get\w* rid) (?:of )?(?:a |the )?(?:dead )?(?:body|bodies|corpse|murder weapon)\b"
     r"|\b(?:destroy\w*|destruction of|tamper\w* with|plant\w*|fabricat\w*) (?:the |fake )?evidence\b"
     r"|\bescape from (?:a |the )?(?:prison|jail|correctional facility|custody)\b|\bcover(?:ing)? up (?:a |the |my )?"
     r"(?:crime|murder|death|killing|hit-and-run)\b|\bconceal\w* (?:[\w'-]+ ){0,2}(?:crimes?|criminal|illegal)\b"),
    ("crime", "commit a crime",
     r"\b(?:commit(?:ting)?|engag\w* in|carry\w* out|conduct\w*|participat\w* in|get\w* away with) (?:[\w'-]+ ){0,3}"
     r"(?:espionage|election (?:interference|rigging|fraud)|vote rigging|human rights (?:violations|abuses)|nuclear"
     r" proliferation|grooming|child exploitation|impersonation|gang(?:-related)? activit\w+|cannibalism|hateful acts"
     r"|poaching|looting|corruption|war crimes|ethnic cleansing|human trafficking|sabotage|vigilantism)\b"
     r"|\b(?:guide|tutorial|instructions|steps|tips|tricks|methods?|ways?|techniques?|strategies|tactics|services?"
     rf"|tools?|kits?|best practices|recipes?|plan|blueprint|manual|playbook|secrets?) (?:for|to"
     rf"|on) (?:{SAFE_WORD}[\w'-]+ ){{0,2}}"
     r"(?:fraud|forgery|identity theft|money laundering|embezzlement|insider trading|tax evasion|shoplifting|burglary"
     r"|robbery|arson|kidnapping|extortion|blackmail|espionage|smuggling|human trafficking|poaching|cyberbullying"
     r"|harassment|stalking|cannibalism|terrorism|assassinations?|genocide|torture|murder|hacking|phishing|scams?"
     r"|cheating|plagiarism|piracy|election rigging|vote rigging|bribery|counterfeiting|doxx?ing|swatting"
     r"|carjacking|mugging|pickpocketing|poisoning)\b(?! (?:prevention|detection|awareness|protection|laws?|cases"
     r"|victims|statistics|investigations?|research))|\bcommit(?:ting)? (?:[\w'-]+ ){0,3}(?:crimes?|felon(?:y|ies)"
     r"|fraud|forgery|arson|burglar(?:y|ies)"
     r"|robber(?:y|ies)|theft|larceny|embezzlement|perjury|treason|vandalism|murder|homicide|atrocities|genocide"
     r"|war crimes|hate crimes?|identity theft|insider trading|tax evasion|money laundering|extortion|bribery"
     r"|kidnapping|assault|rape|sexual assault|battery|trespass\w*|piracy|cybercrimes?|criminal acts?|a crime)\b"
     r"|\b(?:engag\w* in|carry\w* out|conduct\w*|facilitat\w*|fund\w*|for|hid(?:e|ing)|conceal\w*|plan\w*)"
     r" (?:\w+ )?(?:illegal|criminal|illicit) (?:activit(?:y|ies)|purposes|operations|schemes|enterprises)\b"
     r"|\bcrimes? in real life\b|\b(?:illegally|unlawfully|illicitly)\b|\bbreak(?:ing)? the law\b"
     r"|\b(?:set\w* up|start\w*|run\w*|operat\w*|establish\w*|organi[sz]\w*|build\w*|creat\w*|join\w*|engag\w* in"
     r"|participat\w* in|obtain\w*|buy\w*|sell\w*|find\w*|access\w*|hir(?:e|ing)|get) (?:[\w'-]+ ){0,2}(?:illegal"
     r"|illicit|unlawful|underground|black[- ]market|unlicensed) [\w'-]+"
     r"|\b(?:obtain\w*|buy\w*|sell\w*|trad(?:e|ing)|fenc(?:e|ing)|launder\w*|us(?:e|ing)|find\w*"
     r"|get) (?:[\w'-]+ ){0,2}"
     r"stolen \w+|\bstolen [\w'-]+ (?:are |is )?(?:traded|sold|fenced|laundered|resold)\b"
     r"|\b(?:drugs|narcotics|weapons|guns|contraband) (?:are |is )?(?:concealed|hidden|smuggled)\b"
     r"|\b(?:conceal\w*|hid(?:e|ing)|stash\w*) (?:[\w'-]+ ){0,2}(?:drugs|narcotics|weapons|guns|contraband)"
     r" (?:from|in|inside|on|at|through)\b|\b(?:exploit\w*|enslav\w*|traffick\w*) (?:[\w'-]+ ){0,2}(?:children"
     r"|minors|kids|teens|workers|migrants|refugees|women|girls)\b"),
    ("crime", "smuggling and trafficking",
     r"\bsmuggl(?:e|es|ing) \w+|\b(?:human|sex|drug|arms|organ|child|wildlife|people) traffick\w*|\btraffic"
     r"(?:k\w*)? (?:in )?(?:[\w'-]+ ){0,2}(?:people|humans|women|girls|children|kids|weapons|organs|endangered \w+"
     r"|wildlife|ivory|exotic animals|rhino horns?)\b"
     r"|\bcontraband\b|\b(?:sell|selling|buy|buying|purchas\w*) (?:[\w'-]+ ){0,3}(?:on|from|through|via|in) the"
     r" (?:dark ?web|deep ?web|black market)\b|\bblack[- ]market (?:organs?|weapons?|guns?|drugs?)\b"
     r"|\borgan trad\w*\b"),
    ("crime", "bribery", r"\bbrib(?:e|ing) (?:[\w'-]+ ){0,2}(?:officials?|judges?|police|officers?|cops?|politicians?"
                         r"|inspectors?|customs|guards?|witness(?:es)?|jury|jurors?)\b"),
    ("fraud", "fake or misleading material",
     r"\b(?:creat\w*|generat\w*|mak(?:e|ing)|produc\w*|writ(?:e|ing)|buy\w*|sell\w*|post\w*|publish\w*|print\w*"
     r"|design\w*|fabricat\w*|draft\w*|craft\w*|submit\w*|fil(?:e|ing)|promot\w*|spread\w*|us(?:e|ing)|execut\w*"
     r"|run\w*|launch\w*|set\w* up|start\w*|organi[sz]\w*|orchestrat\w*|manag\w*) (?:[\w'-]+ ){0,3}"
     r"(?:fake|fraudulent|falsified|forged|bogus|phony|misleading|deceptive|doctored|fictitious|sham) (?:[\w'-]+ )?"
     r"(?:reviews?|news|documents?|ids?|events?|merchandise|products?|transactions?|papers?|data|results|statements?"
     r"|reports?|invoices?|receipts?|profiles?|accounts?|websites?|charit(?:y|ies)|icos?|tickets?|certificates?"
     r"|diplomas?|degrees?|credentials|expertise|evidence|photos?|images?|videos?|screenshots?|quotes?|testimonials?"
     r"|endorsements?|letters?|emails?|ads?|advertisements?|listings?|engagement|followers|likes|support"
     r"|identit(?:y|ies)|personas?|claims?|injur(?:y|ies)|accidents?|illness|sick notes?|doctor'?s notes?"
     r"|prescriptions?|pills?|medicines?|cures?|money|currency|bills|checks?|cheques?|bank statements?|pay ?stubs?"
     r"|tax returns?|clinical trials?|research|studies|study|citations?|references|signatures?|licen[cs]es?"
     r"|passports?|insurance claims?|job offers?|investments?|stores?|shops?|giveaways?|lotter(?:y|ies)"
     r"|fundraisers?|crowdfunding \w+|business(?:es)?|companies|company|experts?|doctors?|ballots?|votes?)\b"
     r"|\b(?:to|and|or) (?:deceive|defraud|mislead|scam|cheat|swindle|dupe|con) (?:[\w'-]+ ){0,2}(?:customers|buyers"
     r"|consumers|users|investors|voters|people|the public|others|victims|clients|patients|donors|someone|them|him"
     r"|her|employers?|insurers?|insurance companies|the irs|the government|authorities|lenders|banks)\b"
     r"|\bspoof\w* (?:[\w'-]+ ){0,2}(?:emails?|caller ids?|phone numbers?|websites?|ip address\w*|gps|identit\w+"
     r"|domains?|login pages?)\b|\bastroturf\w*|\binauthentic (?:[\w'-]+ )?(?:behaviou?r|accounts|engagement"
     r"|reviews|support)\b|\bartificially (?:increas|boost|inflat|pump|rais)\w* (?:[\w'-]+ ){0,3}(?:followers"
     r"|ratings?|reviews|citations?|citation counts?|views|likes|engagement|votes|traffic|sales|stock prices?"
     r"|downloads)\b|\bfake (?:[\w'-]+ )?(?:grassroots|engagement|followers|likes|support|expertise"
     r"|qualifications|credentials)\b"),
)
