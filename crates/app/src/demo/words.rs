//! Word lists for names, places and documents. Romanian spelling with comma-below ș and ț
//! (not the cedilla forms), as ANAF and modern keyboards write them.

/// A Romanian town: county code as in ISO 3166-2:RO (`RO-<iso>`) and the county number used
/// by CNPs and trade-register numbers (`J<no>/…`).
pub struct City {
    pub name: &'static str,
    pub iso: &'static str,
    pub county_no: u8,
    pub weight: u32,
}

pub const CITIES: &[City] = &[
    City {
        name: "București",
        iso: "B",
        county_no: 40,
        weight: 30,
    },
    City {
        name: "Cluj-Napoca",
        iso: "CJ",
        county_no: 12,
        weight: 9,
    },
    City {
        name: "Iași",
        iso: "IS",
        county_no: 22,
        weight: 7,
    },
    City {
        name: "Timișoara",
        iso: "TM",
        county_no: 35,
        weight: 7,
    },
    City {
        name: "Brașov",
        iso: "BV",
        county_no: 8,
        weight: 6,
    },
    City {
        name: "Constanța",
        iso: "CT",
        county_no: 13,
        weight: 6,
    },
    City {
        name: "Craiova",
        iso: "DJ",
        county_no: 16,
        weight: 5,
    },
    City {
        name: "Galați",
        iso: "GL",
        county_no: 17,
        weight: 3,
    },
    City {
        name: "Ploiești",
        iso: "PH",
        county_no: 29,
        weight: 4,
    },
    City {
        name: "Oradea",
        iso: "BH",
        county_no: 5,
        weight: 3,
    },
    City {
        name: "Sibiu",
        iso: "SB",
        county_no: 32,
        weight: 3,
    },
    City {
        name: "Bacău",
        iso: "BC",
        county_no: 4,
        weight: 2,
    },
    City {
        name: "Pitești",
        iso: "AG",
        county_no: 3,
        weight: 3,
    },
    City {
        name: "Târgu Mureș",
        iso: "MS",
        county_no: 26,
        weight: 2,
    },
    City {
        name: "Suceava",
        iso: "SV",
        county_no: 33,
        weight: 2,
    },
    City {
        name: "Baia Mare",
        iso: "MM",
        county_no: 24,
        weight: 2,
    },
    City {
        name: "Arad",
        iso: "AR",
        county_no: 2,
        weight: 2,
    },
    City {
        name: "Buzău",
        iso: "BZ",
        county_no: 10,
        weight: 1,
    },
    City {
        name: "Râmnicu Vâlcea",
        iso: "VL",
        county_no: 38,
        weight: 1,
    },
    City {
        name: "Focșani",
        iso: "VN",
        county_no: 39,
        weight: 1,
    },
];

pub fn city(name: &str) -> Option<&'static City> {
    CITIES.iter().find(|c| c.name == name)
}

pub const STREETS: &[&str] = &[
    "Str. Mihai Eminescu",
    "Bd. Ștefan cel Mare",
    "Str. Avram Iancu",
    "Bd. Unirii",
    "Str. Libertății",
    "Bd. Independenței",
    "Str. Republicii",
    "Str. Nicolae Bălcescu",
    "Bd. Mihai Viteazu",
    "Str. Tudor Vladimirescu",
    "Str. Mărășești",
    "Calea Victoriei",
    "Bd. Decebal",
    "Aleea Trandafirilor",
    "Str. Zorilor",
    "Str. Câmpului",
    "Str. Gării",
    "Str. Fabricii",
    "Str. Industriilor",
    "Șos. Pantelimon",
    "Str. Constructorilor",
    "Calea Șerban Vodă",
    "Str. Depozitelor",
    "Str. Țesătorilor",
];

pub const FIRST_NAMES: &[&str] = &[
    "Andrei",
    "Alexandru",
    "Mihai",
    "Ion",
    "Ioana",
    "Maria",
    "Elena",
    "Ana",
    "Cristina",
    "Gheorghe",
    "Vasile",
    "Ștefan",
    "Mirela",
    "Roxana",
    "Bogdan",
    "Florin",
    "Cătălin",
    "Răzvan",
    "Irina",
    "Oana",
    "Adriana",
    "Dan",
    "Radu",
    "Sorin",
    "Liviu",
    "Gabriela",
    "Laura",
    "Monica",
    "Daniela",
    "Alina",
    "Andreea",
    "Mădălina",
    "Cosmin",
    "Tudor",
    "Ovidiu",
    "Iulian",
    "Lucian",
    "Marius",
    "Nicoleta",
    "Simona",
    "Violeta",
    "Anca",
    "Camelia",
    "Dorin",
    "Horia",
    "Sebastian",
    "Teodora",
    "Bianca",
    "Diana",
    "Corina",
    "Țicu",
    "Șerban",
];

pub const SURNAMES: &[&str] = &[
    "Popescu",
    "Ionescu",
    "Popa",
    "Pop",
    "Radu",
    "Dumitru",
    "Stan",
    "Stoica",
    "Gheorghe",
    "Matei",
    "Ciobanu",
    "Constantin",
    "Marin",
    "Rusu",
    "Mihai",
    "Munteanu",
    "Ilie",
    "Lungu",
    "Moldovan",
    "Toma",
    "Sârbu",
    "Nistor",
    "Dinu",
    "Florea",
    "Mocanu",
    "Neagu",
    "Barbu",
    "Oprea",
    "Tănase",
    "Voicu",
    "Dobre",
    "Căpraru",
    "Ene",
    "Ursu",
    "Cozma",
    "Manea",
    "Avram",
    "Preda",
    "Bălan",
    "Cristea",
    "Anghel",
    "Vlad",
    "Tudor",
    "Lazăr",
    "Bucur",
    "Năstase",
    "Roman",
    "Iordache",
    "Pavel",
    "Costache",
    "Drăgan",
    "Enache",
    "Șerban",
    "Țurcanu",
    "Pătrașcu",
    "Grigore",
    "Mureșan",
    "Crăciun",
    "Ștefănescu",
    "Vasilescu",
];

/// First part of company names: places, rivers, mountains and the usual invented brands.
pub const BRANDS: &[&str] = &[
    "Agro",
    "Alfa",
    "Arcadia",
    "Astra",
    "Atlas",
    "Aurora",
    "Bega",
    "Bistrița",
    "Carpați",
    "Ceahlău",
    "Codru",
    "Criș",
    "Dacia",
    "Delta",
    "Dunărea",
    "Electro",
    "Euro",
    "Făgăraș",
    "Gama",
    "Horezu",
    "Iris",
    "Lotus",
    "Magnolia",
    "Mega",
    "Metal",
    "Mureș",
    "Nova",
    "Olt",
    "Omega",
    "Orizont",
    "Prahova",
    "Prima",
    "Prut",
    "Retezat",
    "Rapsodia",
    "Siret",
    "Someș",
    "Sigma",
    "Tehno",
    "Terra",
    "Tisa",
    "Transilvania",
    "Vest",
    "Vitra",
    "Zenit",
    "Bucegi",
    "Argeș",
    "Apuseni",
    "Nord",
    "Sud",
    "Hercules",
    "Ardeal",
    "Oltenia",
    "Banat",
    "Moldova",
    "Dobrogea",
    "Cerna",
    "Jiu",
    "Vrancea",
    "Brâncuși",
];

/// Endings that make invented brands ("Agromar", "Deltacom").
pub const BRAND_SUFFIXES: &[&str] = &[
    "com",
    "mar",
    "tex",
    "plast",
    "con",
    "tim",
    "med",
    "serv",
    "vet",
    "fil",
    "lux",
    "net",
    "tur",
    "prod",
    "impex",
    "trans",
    "ind",
    "construct",
    "grup",
    "star",
];

/// What the company does, as it appears in its name.
pub const ACTIVITIES: &[&str] = &[
    "Construcții",
    "Instalații",
    "Distribuție",
    "Logistică",
    "Comerț",
    "Producție",
    "Prestări Servicii",
    "Întreținere",
    "Tâmplărie",
    "Mobilier",
    "Energie",
    "Transport",
    "Proiectare",
    "Consultanță",
    "Panificație",
    "Farmaceutică",
    "Confecții",
    "Materiale de Construcții",
    "Imobiliare",
    "Automatizări",
    "Hidrotehnică",
    "Industrie Alimentară",
    "Depozitare",
    "Sisteme de Securitate",
    "Agricultură",
    "Telecomunicații",
    "Piese Auto",
    "Echipamente Industriale",
    "Încălzire și Climatizare",
    "Prefabricate",
];

pub struct ForeignCountry {
    pub code: &'static str,
    pub surnames: &'static [&'static str],
    pub activities: &'static [&'static str],
    pub form: &'static str,
    pub cities: &'static [&'static str],
    pub street: &'static str,
    pub first_names: &'static [&'static str],
    pub tld: &'static str,
    pub phone_prefix: &'static str,
}

pub const FOREIGN: &[ForeignCountry] = &[
    ForeignCountry {
        code: "DE",
        surnames: &[
            "Müller",
            "Schäfer",
            "Köhler",
            "Weiß",
            "Hoffmann",
            "Becker",
            "Schröder",
            "Krüger",
        ],
        activities: &["Haustechnik", "Bau", "Logistik", "Anlagenbau", "Metallbau"],
        form: "GmbH",
        cities: &[
            "München",
            "Stuttgart",
            "Köln",
            "Nürnberg",
            "Leipzig",
            "Dresden",
        ],
        street: "Hauptstraße",
        first_names: &["Thomas", "Anna", "Michael", "Julia", "Stefan", "Katrin"],
        tld: "de",
        phone_prefix: "+49",
    },
    ForeignCountry {
        code: "AT",
        surnames: &["Gruber", "Huber", "Steiner", "Wagner", "Pichler"],
        activities: &["Bau", "Technik", "Handel"],
        form: "GmbH",
        cities: &["Wien", "Graz", "Linz"],
        street: "Landstraße",
        first_names: &["Markus", "Sabine", "Andreas", "Birgit"],
        tld: "at",
        phone_prefix: "+43",
    },
    ForeignCountry {
        code: "NL",
        surnames: &["Van Dijk", "De Vries", "Bakker", "Jansen", "Visser"],
        activities: &["Logistics", "Trading", "Installaties"],
        form: "B.V.",
        cities: &["Rotterdam", "Utrecht", "Eindhoven"],
        street: "Keizersgracht",
        first_names: &["Jan", "Eva", "Pieter", "Sanne"],
        tld: "nl",
        phone_prefix: "+31",
    },
    ForeignCountry {
        code: "HU",
        surnames: &["Kovács", "Szabó", "Tóth", "Horváth", "Nagy"],
        activities: &["Építő", "Kereskedelmi", "Szerelő"],
        form: "Kft.",
        cities: &["Budapest", "Szeged", "Debrecen"],
        street: "Fő utca",
        first_names: &["László", "Katalin", "Zoltán", "Éva"],
        tld: "hu",
        phone_prefix: "+36",
    },
];

pub const COLLECTORS: &[(u32, &str)] = &[
    (35, "ana.popa@termoconstruct.ro"),
    (30, "mihai.dumitrescu@termoconstruct.ro"),
    (20, "elena.stan@termoconstruct.ro"),
    (15, "radu.ionescu@termoconstruct.ro"),
];

/// Mentions that a customer's accounts-payable department insists on.
pub fn mention(kind: u64, n: u64) -> String {
    match kind % 4 {
        0 => format!("Cod proiect: P-{:04}", 1000 + n % 9000),
        1 => format!("Centru de cost: CC-{:04}", 1000 + n % 9000),
        2 => format!("Cod furnizor: F{:05}", 10000 + n % 90000),
        _ => format!("Nr. acord-cadru: AC-{}/2024", 10 + n % 990),
    }
}

/// Mentions some invoices carry without being asked to.
pub const FREE_MENTIONS: &[&str] = &[
    "Factura circulă fără semnătură și ștampilă conform art. 319 alin. (29) din Legea nr. 227/2015",
    "Livrare conform comenzii",
    "Vă mulțumim pentru colaborare",
];

pub const MONTHS_RO: [&str; 12] = [
    "ianuarie",
    "februarie",
    "martie",
    "aprilie",
    "mai",
    "iunie",
    "iulie",
    "august",
    "septembrie",
    "octombrie",
    "noiembrie",
    "decembrie",
];

/// Replaces Romanian (and the foreign demo names') letters by their plain ASCII base, for
/// e-mail addresses, domains and the upper-case names banks print on statements.
pub fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ă' | 'â' | 'á' | 'ä' => 'a',
            'Ă' | 'Â' | 'Á' | 'Ä' => 'A',
            'î' | 'í' => 'i',
            'Î' | 'Í' => 'I',
            'ș' | 'ş' => 's',
            'Ș' | 'Ş' => 'S',
            'ț' | 'ţ' => 't',
            'Ț' | 'Ţ' => 'T',
            'ö' | 'ó' | 'ő' => 'o',
            'Ö' | 'Ó' | 'Ő' => 'O',
            'ü' | 'ú' | 'ű' => 'u',
            'Ü' | 'Ú' | 'Ű' => 'U',
            'é' => 'e',
            'É' => 'E',
            'ß' => 's',
            c => c,
        })
        .collect()
}

/// Lower-case letters and digits only: `"Carpați Construcții"` -> `"carpaticonstructii"`.
pub fn slug(s: &str) -> String {
    ascii_fold(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Carpați Construcții"), "carpaticonstructii");
        assert_eq!(slug("Van Dijk"), "vandijk");
        assert_eq!(
            ascii_fold("Ștefănescu Țurcanu Weiß"),
            "Stefanescu Turcanu Weis"
        );
        assert!(CITIES.iter().all(|c| city(c.name).is_some()));
    }
}
