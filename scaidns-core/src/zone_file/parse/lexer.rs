//! Splits a master file into entries the way `named` reads it (RFC 1035 §5.1): blanks separate
//! fields, `;` starts a comment outside quotes, parentheses join lines, quoted strings keep
//! their escapes, a backslash outside quotes protects the next character, and an entry whose
//! first line starts with a blank has no owner of its own.

/// One field of an entry, as written (quotes and escapes kept for the rdata parser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub text: String,
    pub quoted: bool,
}

/// One logical line: a directive or a record, possibly spread over several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// 1-based line the entry starts on.
    pub line: usize,
    /// The lines as written, for error reports.
    pub text: String,
    /// The first line starts with a blank: the owner is the previous one.
    pub blank_owner: bool,
    pub tokens: Vec<Token>,
    /// Why the entry cannot be read (unclosed quote or parenthesis).
    pub error: Option<String>,
    /// The tagged comment the export wrote the record as, if any.
    pub tag: Option<Tag>,
}

/// The comments a BIND export writes records as that `named` could not load (see
/// `zone_file::render`): read back as the records they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    /// `; disabled: `: a record kept but not served.
    Disabled,
    /// `; alias: ` or `; generic: `: the record itself.
    Record,
}

fn untag(line: &str) -> (Option<Tag>, &str) {
    for (prefix, tag) in [
        ("; disabled: ", Tag::Disabled),
        ("; alias: ", Tag::Record),
        ("; generic: ", Tag::Record),
    ] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return (Some(tag), rest);
        }
    }
    (None, line)
}

#[derive(Default)]
struct State {
    entry: Option<Entry>,
    depth: usize,
    token: String,
    quoted: bool,
}

impl State {
    fn end_token(&mut self) {
        if self.token.is_empty() && !self.quoted {
            return;
        }
        if let Some(entry) = self.entry.as_mut() {
            entry.tokens.push(Token {
                text: std::mem::take(&mut self.token),
                quoted: self.quoted,
            });
        }
        self.quoted = false;
    }

    fn fail(&mut self, reason: &str) {
        if let Some(entry) = self.entry.as_mut() {
            entry.error.get_or_insert_with(|| reason.to_owned());
        }
    }
}

/// Hands every entry of `input` to `each`, in order, until `each` answers false. Blank and
/// comment-only lines make no entry. Entries are made one at a time, so a huge text is never
/// held as entries.
pub(super) fn entries(input: &str, mut each: impl FnMut(Entry) -> bool) {
    let mut st = State::default();
    for (index, raw) in input.split('\n').enumerate() {
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        match st.entry.as_mut() {
            Some(entry) => {
                entry.text.push('\n');
                entry.text.push_str(line);
            }
            None => {
                let (tag, rest) = untag(line);
                st.entry = Some(Entry {
                    line: index + 1,
                    text: line.to_owned(),
                    blank_owner: rest.starts_with([' ', '\t']),
                    tokens: Vec::new(),
                    error: None,
                    tag,
                });
                line = rest;
            }
        }
        scan_line(&mut st, line);
        if st.depth == 0 && !finish(&mut st, &mut each) {
            return;
        }
    }
    if st.depth > 0 {
        st.fail("a parenthesis opened here is never closed");
        finish(&mut st, &mut each);
    }
}

/// Ends the entry; false when `each` wants no more.
fn finish(st: &mut State, each: &mut impl FnMut(Entry) -> bool) -> bool {
    st.end_token();
    st.depth = 0;
    match st.entry.take() {
        Some(entry) if !entry.tokens.is_empty() || entry.error.is_some() => each(entry),
        _ => true,
    }
}

fn scan_line(st: &mut State, line: &str) {
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if st.quoted {
            match c {
                '\\' => {
                    st.token.push(c);
                    if let Some(next) = chars.next() {
                        st.token.push(next);
                    }
                }
                '"' => {
                    st.token.push(c);
                    st.end_token();
                }
                _ => st.token.push(c),
            }
            continue;
        }
        match c {
            ' ' | '\t' => st.end_token(),
            ';' => break,
            '(' => {
                st.end_token();
                st.depth += 1;
            }
            ')' => {
                st.end_token();
                if st.depth == 0 {
                    st.fail("')' without a matching '('");
                } else {
                    st.depth -= 1;
                }
            }
            '"' => {
                st.end_token();
                st.token.push(c);
                st.quoted = true;
            }
            '\\' => {
                st.token.push(c);
                if let Some(next) = chars.next() {
                    st.token.push(next);
                }
            }
            _ => st.token.push(c),
        }
    }
    if st.quoted {
        // named refuses a quoted string left open at the end of a line.
        st.token.clear();
        st.quoted = false;
        st.fail("a quoted string is not closed on its line");
    }
}
