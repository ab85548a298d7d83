// Whether a piece of a prompt is about a kind of film at all: "no horror" and "nothing with
// blood and guts" are, "I'm home alone tonight" and "don't judge" are not.

/// The words by which the prompt reader tells a request or refusal of a kind of film from the
/// talk around it (reasons, greetings, "surprise me"): a piece that names a genre
/// (``PromptRouter/kindsRead``) or holds a word or phrase of ``descriptions``.
///
/// The descriptions are broader than ``CategoryMentions``' names ("scary", "explosions",
/// "talking animals"). Here they decide which pieces of a prompt stand as parts of their own;
/// Recommend's drop of refused categories also reads each as naming the genre it is listed under
/// (``CategoryMentions`` with `descriptions`, which leaves out the loosest). Written from common
/// descriptions of the MovieLens genres, not from any prompt set. A one-word description also
/// matches its plural ("-s", "-es").
enum KindWords {
    /// Descriptions of kinds of film, in ``CueTokens`` form, by the genre they suggest (the genre a
    /// refusal holding one drops). A genre's names ("whodunit", "cowboys") are ``CategoryMentions``'
    /// and are not repeated here.
    static let descriptions: [String: [String]] = [
        "Action": ["action packed", "explosion", "explosive", "car chase", "chase", "shootout", "gunfight", "fight", "fighting",
                   "fistfight", "punching", "martial arts", "kung fu", "karate", "superhero", "super hero", "stunt", "violence",
                   "violent", "guns", "blockbuster", "adrenaline", "bullets", "spy", "spies", "secret agent", "mercenary"],
        "Adventure": ["adventurous", "quest", "treasure", "treasure hunt", "expedition", "jungle", "pirate", "swashbuckler", "swashbuckling",
                      "epic journey", "explorer", "exploring", "island adventure", "globe trotting"],
        "Animation": ["drawn", "hand drawn", "pixar", "disney", "dreamworks", "claymation", "stop motion", "talking animal",
                      "cgi cartoon"],
        "Children's": ["childish", "family friendly", "family film", "family movie", "kid friendly", "for the whole family", "princess",
                       "fairy tale", "bedtime story", "little ones"],
        "Comedy": ["funny", "hilarious", "laugh", "laughs", "laughing", "laugh out loud", "lol", "silly", "goofy", "slapstick",
                   "joke", "jokes", "witty", "spoof", "parody", "satire", "lighthearted", "light hearted", "feel good", "comic",
                   "humor", "humour", "humorous", "giggle", "sitcom", "stand up", "fun", "upbeat", "cheerful"],
        "Crime": ["gangster", "mobster", "mafia", "mob", "heist", "robbery", "bank job", "cop", "cops", "police", "detective",
                  "criminal", "con artist", "hitman", "hit man", "drug lord", "cartel", "prison", "true crime", "outlaw"],
        "Documentary": ["true story", "true stories", "real footage", "real events", "real life", "nature", "wildlife",
                        "biopic", "educational", "narrator", "footage", "based on facts", "nonfiction", "non fiction"],
        "Drama": ["sad", "tearjerker", "tear jerker", "weepy", "cry", "crying", "tears", "depressing", "heavy", "emotional",
                  "dramatic", "melodrama", "serious", "bleak", "gritty", "heartbreaking", "tragic", "tragedy", "somber",
                  "sombre", "oscar bait", "slow burn"],
        "Fantasy": ["fantastical", "magic", "magical", "wizard", "witch", "sorcerer", "spell", "dragon", "elf", "elves", "dwarves", "fairy",
                    "fairies", "unicorn", "mythical", "enchanted", "sword", "sorcery", "orc", "castle", "knight", "medieval"],
        "Film-Noir": ["femme fatale", "private eye", "hard boiled", "trench coat", "black and white", "private investigator",
                      "shadowy", "smoky"],
        "Horror": ["scary", "scare", "scares", "scared", "spooky", "creepy", "terrifying", "frightening", "gore", "gory",
                   "blood", "bloody", "guts", "jump scare", "monster", "zombie", "ghost", "haunted", "haunting", "demon",
                   "possessed", "possession", "vampire", "werewolf", "serial killer", "creature", "nightmare", "nightmares",
                   "chainsaw", "exorcism", "occult", "eerie", "disturbing"],
        "Musical": ["singing", "sing", "song", "songs", "sing along", "dancing", "dance", "dancers", "broadway", "show tunes",
                    "jazz hands", "soundtrack", "opera"],
        "Mystery": ["mysterious", "who done it", "clue", "clues", "puzzle", "sleuth", "murder", "unsolved",
                    "twist", "twists", "twisty", "suspect", "investigation", "detective story"],
        "Romance": ["lovey dovey", "kiss", "kissing", "sappy", "mushy", "schmaltzy", "cheesy love",
                    "date night", "lovers", "wedding", "swoon", "chick flick", "soppy", "falling in love", "crush"],
        "Sci-Fi": ["space", "outer space", "alien", "robot", "android", "laser", "spaceship", "starship", "spacecraft",
                   "futuristic", "dystopia", "dystopian", "time travel", "time machine", "cyberpunk", "galaxy",
                   "planet", "astronaut", "cyborg", "artificial intelligence", "mutant", "superpowers", "apocalypse",
                   "post apocalyptic"],
        "Thriller": ["suspense", "suspenseful", "tense", "tension", "edge of my seat", "edge of your seat", "nail biter",
                     "nail biting", "thrilling", "gripping", "psychological", "conspiracy", "stalker", "kidnapping",
                     "hostage", "paranoia", "paranoid", "manhunt", "cat and mouse"],
        "War": ["soldier", "battle", "battlefield", "trench", "trenches", "army", "combat", "military", "navy", "platoon",
                "troops", "wwii", "ww2", "world war", "vietnam", "bombing", "invasion", "submarine"],
        "Western": ["sheriff", "outlaw", "frontier", "saloon", "gunslinger", "wild west", "old west", "ranch",
                    "cattle", "horseback", "stagecoach", "showdown", "bounty hunter", "spaghetti"],
    ]

    /// Every description as tokens, by its first token (each one-word form also with its plurals).
    private static let forms: [String: [[String]]] = {
        var all: Set<[String]> = []
        for text in descriptions.values.joined() {
            let tokens = CueTokens.tokens(text)
            all.insert(tokens)
            if tokens.count == 1 { all.insert([tokens[0] + "s"]); all.insert([tokens[0] + "es"]) }
        }
        return Dictionary(grouping: all, by: { $0[0] })
    }()

    /// Whether `text` names a genre the router reads or describes a kind of film.
    static func describesAKind(_ text: String) -> Bool {
        if !PromptRouter.kindsRead.categories(in: text).isEmpty { return true }
        let tokens = CueTokens.tokens(text)
        return tokens.indices.contains { start in
            (forms[tokens[start]] ?? []).contains { tokens[start...].starts(with: $0) }
        }
    }
}
