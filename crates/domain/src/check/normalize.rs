//! Text comparisons of the check: company names, required mentions, e-mail addresses.
//!
//! Names and mentions are compared as *tokens*: lower case, diacritics folded to ASCII
//! (`ș`→`s`, also the cedilla forms `ş`/`ţ` older software writes, `ß`→`ss`), and every
//! run of characters that are not letters or digits is one separator. Combining marks are
//! dropped (a decomposed `s` + comma below is an `s`), not treated as separators.

/// The ASCII spelling of a lower-case letter with a diacritic; `None` when the letter has
/// none (or is not Latin: it is kept as it is).
fn fold_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Combining diacritical marks: part of the letter before them, never a separator.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Lower case, folded tokens of `text`, in order.
pub fn fold_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        if !current.is_empty() {
            tokens.push(std::mem::take(current));
        }
    };
    for c in text.chars() {
        // ASCII first: most names and mentions are mostly ASCII, and the general case's
        // Unicode case mapping is the check's most expensive step.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                current.push(c.to_ascii_lowercase());
            } else {
                flush(&mut current);
            }
            continue;
        }
        for c in c.to_lowercase() {
            if is_combining(c) {
                continue;
            }
            if c.is_alphanumeric() {
                match fold_letter(c) {
                    Some(s) => current.push_str(s),
                    None => current.push(c),
                }
            } else {
                flush(&mut current);
            }
        }
    }
    flush(&mut current);
    tokens
}

/// Legal forms as tokens after single letters are joined (`S.R.L.` → `srl`): Romanian
/// ones first, then those of the EU neighbours our customers trade with. `sc` is the
/// "societate comercială" prefix older documents put before the name.
const LEGAL_FORMS: &[&str] = &[
    "srl", "srld", "sa", "sc", "snc", "scs", "sca", "ra", "pfa", "ii", "if", "ong", "gmbh", "ag",
    "kg", "ohg", "ug", "kgaa", "ev", "bv", "nv", "vof", "kft", "zrt", "nyrt", "bt", "ltd",
    "limited", "llc", "inc", "plc", "llp", "spa", "sas", "sarl", "sro", "as", "oy", "ab", "aps",
    "sprl", "bvba", "eood", "ood", "ad", "doo",
];

/// Legal forms written out in words; removed wherever they occur as a run of tokens.
const LEGAL_PHRASES: &[&[&str]] = &[
    &["societate", "cu", "raspundere", "limitata"],
    &["societatea", "cu", "raspundere", "limitata"],
    &["societate", "pe", "actiuni"],
    &["societatea", "pe", "actiuni"],
    &["societate", "comerciala"],
    &["societatea", "comerciala"],
    &["persoana", "fizica", "autorizata"],
    &["intreprindere", "individuala"],
    &["intreprindere", "familiala"],
    &["sp", "zoo"],
];

fn is_single(t: &str) -> bool {
    t.chars().count() == 1
}

/// One pass: join runs of single characters (`s r l` → `srl`, `a b` → `ab`), then drop
/// legal forms.
fn name_pass(tokens: Vec<String>) -> Vec<String> {
    let mut joined: Vec<String> = Vec::with_capacity(tokens.len());
    let mut previous_single = false;
    for t in tokens {
        let single = is_single(&t);
        match joined.last_mut() {
            Some(last) if single && previous_single => last.push_str(&t),
            _ => joined.push(t),
        }
        previous_single = single;
    }
    let mut out: Vec<String> = Vec::with_capacity(joined.len());
    let mut i = 0;
    while i < joined.len() {
        if let Some(len) = phrase_at(&joined, i) {
            i += len;
            continue;
        }
        if !LEGAL_FORMS.contains(&joined[i].as_str()) {
            out.push(std::mem::take(&mut joined[i]));
        }
        i += 1;
    }
    out
}

/// The length of the legal-form phrase starting at `tokens[i]`, if one does.
fn phrase_at(tokens: &[String], i: usize) -> Option<usize> {
    LEGAL_PHRASES
        .iter()
        .find(|phrase| {
            tokens.len() >= i + phrase.len()
                && tokens[i..i + phrase.len()]
                    .iter()
                    .zip(phrase.iter())
                    .all(|(a, b)| a == b)
        })
        .map(|phrase| phrase.len())
}

/// Whether another pass would change nothing: no two single characters side by side, no
/// legal form, no legal phrase.
fn is_stable(tokens: &[String]) -> bool {
    !tokens
        .windows(2)
        .any(|w| is_single(&w[0]) && is_single(&w[1]))
        && !tokens.iter().any(|t| LEGAL_FORMS.contains(&t.as_str()))
        && (0..tokens.len()).all(|i| phrase_at(tokens, i).is_none())
}

/// The comparable form of a company or person name: folded tokens, single letters joined,
/// legal forms (SRL, S.R.L., SA, GmbH, "societate cu răspundere limitată", …) removed,
/// joined by single spaces. `"S.C. ALFA-CONSTRUCȚII S.R.L."` → `"alfa constructii"`.
///
/// Passes repeat until nothing changes (dropping a form can bring two single letters
/// together), so the result is a fixed point: normalising it again gives it back.
pub fn normalize_name(name: &str) -> String {
    let mut tokens = name_pass(fold_tokens(name));
    while !is_stable(&tokens) {
        tokens = name_pass(tokens);
    }
    tokens.join(" ")
}

/// Whether two names are the same party after [`normalize_name`], also when the words are
/// run together (`"AlfaBeta"` / `"Alfa Beta"`) or in another order (`"Popescu Ion"` /
/// `"Ion Popescu"`, as Romanian forms list a person surname first). Identical names match
/// (unless blank); otherwise a name that is only a legal form says nothing and matches
/// nothing.
pub fn names_match(a: &str, b: &str) -> bool {
    // Most invoices carry the name exactly as on file.
    if a == b {
        return !a.trim().is_empty();
    }
    let (na, nb) = (normalize_name(a), normalize_name(b));
    if na.is_empty() || nb.is_empty() {
        return false;
    }
    if na == nb || na.replace(' ', "") == nb.replace(' ', "") {
        return true;
    }
    sorted_words(&na) == sorted_words(&nb)
}

fn sorted_words(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.split(' ').collect();
    v.sort_unstable();
    v
}

/// Whether `needle`'s tokens occur, in order and adjacent, among the tokens of `texts`
/// read one after another. Whole tokens only: `P-1234` is not found in `P-12345`.
pub fn contains_phrase<'a>(texts: impl IntoIterator<Item = &'a str>, needle: &str) -> bool {
    let wanted = fold_tokens(needle);
    if wanted.is_empty() {
        return true;
    }
    let hay: Vec<String> = texts.into_iter().flat_map(fold_tokens).collect();
    hay.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

/// The addresses in a `sent_to` value: separated by `,` or `;`, each either bare or as
/// `Name <address>`; trimmed and lower-cased, empty pieces dropped.
pub fn split_addresses(value: &str) -> Vec<String> {
    value
        .split([',', ';'])
        .filter_map(|piece| {
            let piece = piece.trim();
            let addr = match (piece.rfind('<'), piece.rfind('>')) {
                (Some(open), Some(close)) if open < close => &piece[open + 1..close],
                _ => piece,
            };
            let addr = addr.trim().to_lowercase();
            (!addr.is_empty()).then_some(addr)
        })
        .collect()
}

/// A usable e-mail address: one `@` with something on both sides and a dot in the domain.
/// Deliverability is the mail server's business; this only tells an address from a note.
pub fn is_email(value: &str) -> bool {
    let value = value.trim();
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Mailboxes of a company rather than of a person: what lands there waits for someone to
/// forward it, and invoices get lost on the way.
const GENERIC_MAILBOXES: &[&str] = &[
    "office",
    "info",
    "contact",
    "contactus",
    "secretariat",
    "secretariatul",
    "vanzari",
    "sales",
    "admin",
    "administrator",
    "administrativ",
    "receptie",
    "registratura",
    "hello",
    "mail",
    "email",
    "posta",
    "post",
    "comenzi",
    "orders",
    "order",
    "suport",
    "support",
    "service",
    "general",
    "firma",
    "company",
    "noreply",
    "no-reply",
    "marketing",
    "hr",
    "webmaster",
    "postmaster",
    "main",
    "team",
    "echipa",
];

/// Whether `address` is a generic company mailbox (`office@`, `info@`, `vanzari@`, …). A
/// digit suffix (`office2@`) and the separators `.`, `-`, `_` are ignored.
pub fn is_generic_mailbox(address: &str) -> bool {
    let Some((local, _)) = address.trim().split_once('@') else {
        return false;
    };
    let local: String = fold_tokens(local).concat();
    let local = local.trim_end_matches(|c: char| c.is_ascii_digit());
    GENERIC_MAILBOXES
        .iter()
        .any(|g| g.replace('-', "") == local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_legal_forms_diacritics_case_and_punctuation() {
        assert_eq!(
            normalize_name("S.C. ALFA-CONSTRUCȚII S.R.L."),
            "alfa constructii"
        );
        assert_eq!(normalize_name("Alfa Construcţii SRL"), "alfa constructii");
        assert_eq!(normalize_name("Beta Holding S.A."), "beta holding");
        assert_eq!(
            normalize_name("Gamma societate cu răspundere limitată"),
            "gamma"
        );
        assert_eq!(
            normalize_name("Müller Straße GmbH & Co. KG"),
            "muller strasse co"
        );
        assert_eq!(normalize_name("Kovács Kft."), "kovacs");
        assert_eq!(
            normalize_name("Decomposed s\u{0326}i t\u{0326}"),
            "decomposed si t"
        );
        assert!(names_match(
            "Alfa Construcții SRL",
            "ALFA CONSTRUCTII S.R.L."
        ));
        assert!(names_match(
            "alfa construcții srl",
            "SC Alfa Construcții SRL"
        ));
        assert!(names_match("Popescu Ion PFA", "Ion Popescu"));
        assert!(names_match("AlfaBeta SRL", "Alfa Beta S.R.L."));
        assert!(names_match("A & B Trading SRL", "AB Trading"));
    }

    #[test]
    fn a_different_word_is_a_different_name() {
        assert!(!names_match("Alfa Construcții SRL", "Alfa Instalații SRL"));
        assert!(!names_match("Ion Popescu", "Ion Ionescu"));
        assert!(
            !names_match("SRL", "S.R.L."),
            "a bare legal form identifies nobody"
        );
        assert!(!names_match("", ""));
    }

    #[test]
    fn dropping_a_form_still_gives_a_fixed_point() {
        let once = normalize_name("X SRL Y");
        assert_eq!(once, "xy");
        assert_eq!(normalize_name(&once), once);
        // Removing the inner phrase brings the outer one together.
        let nested = "Societate societate cu răspundere limitată cu răspundere limitată";
        assert_eq!(normalize_name(nested), "");
    }

    #[test]
    fn phrases_match_whole_tokens_across_pieces() {
        let texts = ["Livrare conform comenzii", "COD PROIECT: p-1234; altceva"];
        assert!(contains_phrase(texts, "Cod proiect: P-1234"));
        assert!(contains_phrase(
            ["cod proiect p 1234"],
            "Cod proiect: P-1234"
        ));
        assert!(!contains_phrase(
            ["Cod proiect: P-12345"],
            "Cod proiect: P-1234"
        ));
        assert!(!contains_phrase(Vec::<&str>::new(), "Centru de cost"));
        assert!(contains_phrase(
            ["Centru de cost: CC-1000"],
            "centru de cost cc 1000"
        ));
    }

    #[test]
    fn addresses_are_split_and_recognised() {
        assert_eq!(
            split_addresses("Ana Pop <Ana.Pop@Alfa.ro>; office@alfa.ro, ,"),
            ["ana.pop@alfa.ro", "office@alfa.ro"]
        );
        assert!(is_email("ana@alfa.ro"));
        assert!(!is_email("ana@alfa"));
        assert!(!is_email("ana pop@alfa.ro"));
        assert!(!is_email("n/a"));
        for generic in [
            "office@alfa.ro",
            "INFO@alfa.ro",
            "contact@x.eu",
            "secretariat@x.ro",
            "vanzari@x.ro",
            "vânzări@x.ro",
            "sales@x.com",
            "admin@x.ro",
            "receptie@x.ro",
            "office2@x.ro",
            "no-reply@x.ro",
        ] {
            assert!(is_generic_mailbox(generic), "{generic}");
        }
        for personal in ["ana.pop@alfa.ro", "contabilitate@alfa.ro", "officer@x.ro"] {
            assert!(!is_generic_mailbox(personal), "{personal}");
        }
    }
}
