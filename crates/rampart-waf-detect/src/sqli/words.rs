//! SQL keywords and well-known function names, by the role they play in the detection rules.

/// What a keyword is to the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// `UNION`, `INTERSECT`, `EXCEPT`, `MINUS`: glue a second query onto the application's.
    Union,
    Select,
    /// A word that starts a statement other than SELECT (see [`Stmt`]).
    Stmt(Stmt),
    /// `AND`, `OR`, `XOR`.
    Logic,
    Not,
    /// `LIKE`, `RLIKE`, `REGEXP`, `IS`, `IN`, `BETWEEN`, `SOUNDS`, `GLOB`: comparisons.
    Cmp,
    /// `DIV`, `MOD`: arithmetic.
    Arith,
    /// `NULL`, `TRUE`, `FALSE` and niladic values (`CURRENT_USER`, `UTC_DATE`...).
    Const,
    /// A clause word (see [`Clause`]).
    Clause(Clause),
    /// A function name; `attack` marks functions that are nearly only ever called by attacks
    /// (time delays, file reads, error-based extraction).
    Func {
        attack: bool,
    },
}

/// Statement-starting words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stmt {
    Insert,
    Update,
    Delete,
    /// `DROP`, `CREATE`, `ALTER`, `TRUNCATE`, `RENAME`: take an object kind next.
    Ddl,
    /// `EXEC`, `EXECUTE`.
    Exec,
    Declare,
    Shutdown,
    Waitfor,
    If,
    Begin,
    Set,
    Goto,
    /// `CALL`, `LOAD`, `DO` (MySQL).
    Call,
    Load,
    Do,
}

/// Clause words the rules look for by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    From,
    Where,
    /// `GROUP`, `ORDER` (before `BY`).
    GroupOrder,
    By,
    Having,
    Limit,
    Into,
    /// `OUTFILE`, `DUMPFILE`.
    Outfile,
    Procedure,
    /// `TABLE`, `DATABASE`, `VIEW`, `INDEX`, `USER`... : object kinds after DDL words.
    Object,
    /// `DELAY` (after WAITFOR).
    Delay,
    /// `ALL`, `DISTINCT`, `TOP`: may follow UNION or SELECT.
    Quantifier,
    /// `CASE`, `WHEN`, `THEN`, `ELSE`, `END`.
    Case,
    /// Any other reserved word (`AS`, `ON`, `JOIN`, `VALUES`, `COLLATE`, ...).
    Other,
}

/// Classifies a word (case-insensitively); `None` for an ordinary identifier.
pub fn classify(text: &[u8]) -> Option<Word> {
    let mut buf = [0u8; 24];
    if text.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(text) {
        *d = s.to_ascii_uppercase();
    }
    let up = &buf[..text.len()];
    statement(up)
        .or_else(|| operator(up))
        .or_else(|| clause(up))
        .or_else(|| function(up))
}

fn statement(w: &[u8]) -> Option<Word> {
    let s = match w {
        b"UNION" | b"INTERSECT" | b"EXCEPT" | b"MINUS" => return Some(Word::Union),
        b"SELECT" => return Some(Word::Select),
        b"INSERT" | b"REPLACE" => Stmt::Insert,
        b"UPDATE" => Stmt::Update,
        b"DELETE" => Stmt::Delete,
        b"DROP" | b"CREATE" | b"ALTER" | b"TRUNCATE" | b"RENAME" => Stmt::Ddl,
        b"EXEC" | b"EXECUTE" => Stmt::Exec,
        b"DECLARE" => Stmt::Declare,
        b"SHUTDOWN" => Stmt::Shutdown,
        b"WAITFOR" => Stmt::Waitfor,
        b"IF" => Stmt::If,
        b"BEGIN" => Stmt::Begin,
        b"SET" => Stmt::Set,
        b"GOTO" => Stmt::Goto,
        b"CALL" => Stmt::Call,
        b"LOAD" => Stmt::Load,
        b"DO" => Stmt::Do,
        _ => return None,
    };
    Some(Word::Stmt(s))
}

fn operator(w: &[u8]) -> Option<Word> {
    Some(match w {
        b"AND" | b"OR" | b"XOR" => Word::Logic,
        b"NOT" => Word::Not,
        b"LIKE" | b"RLIKE" | b"REGEXP" | b"IS" | b"IN" | b"BETWEEN" | b"SOUNDS" | b"GLOB" => {
            Word::Cmp
        }
        b"DIV" | b"MOD" => Word::Arith,
        b"NULL" | b"TRUE" | b"FALSE" | b"UNKNOWN" | b"CURRENT_USER" | b"CURRENT_DATE"
        | b"CURRENT_TIME" | b"CURRENT_TIMESTAMP" | b"UTC_DATE" | b"UTC_TIME" | b"UTC_TIMESTAMP"
        | b"LOCALTIME" | b"LOCALTIMESTAMP" | b"SYSTEM_USER" | b"SESSION_USER" | b"SYSDATE" => {
            Word::Const
        }
        _ => return None,
    })
}

fn clause(w: &[u8]) -> Option<Word> {
    let c = match w {
        b"FROM" => Clause::From,
        b"WHERE" => Clause::Where,
        b"GROUP" | b"ORDER" => Clause::GroupOrder,
        b"BY" => Clause::By,
        b"HAVING" => Clause::Having,
        b"LIMIT" | b"OFFSET" => Clause::Limit,
        b"INTO" => Clause::Into,
        b"OUTFILE" | b"DUMPFILE" => Clause::Outfile,
        b"PROCEDURE" => Clause::Procedure,
        b"TABLE" | b"DATABASE" | b"VIEW" | b"INDEX" | b"SCHEMA" | b"TRIGGER" | b"FUNCTION"
        | b"TEMPORARY" => Clause::Object,
        b"DELAY" => Clause::Delay,
        b"ALL" | b"DISTINCT" | b"DISTINCTROW" | b"TOP" => Clause::Quantifier,
        b"CASE" | b"WHEN" | b"THEN" | b"ELSE" | b"END" => Clause::Case,
        b"ASC" | b"DESC" | b"WITH" | b"ROLLUP" | b"AGAINST" | b"AS" | b"ON" | b"JOIN"
        | b"VALUES" | b"COLLATE" | b"ESCAPE" | b"USING" | b"BINARY" | b"INNER" | b"OUTER"
        | b"CROSS" | b"NATURAL" | b"STRAIGHT_JOIN" | b"PRIOR" => Clause::Other,
        _ => return None,
    };
    Some(Word::Clause(c))
}

fn function(w: &[u8]) -> Option<Word> {
    let attack = match w {
        b"SLEEP"
        | b"BENCHMARK"
        | b"PG_SLEEP"
        | b"LOAD_FILE"
        | b"EXTRACTVALUE"
        | b"UPDATEXML"
        | b"NAME_CONST"
        | b"RANDOMBLOB"
        | b"GTID_SUBSET"
        | b"XP_CMDSHELL"
        | b"SP_EXECUTESQL"
        | b"SP_OACREATE"
        | b"SP_PASSWORD"
        | b"OPENROWSET"
        | b"OPENDATASOURCE"
        | b"PG_READ_FILE"
        | b"LO_IMPORT"
        | b"GROUP_CONCAT"
        | b"INFORMATION_SCHEMA"
        | b"SYSOBJECTS"
        | b"SYSCOLUMNS"
        | b"SQLITE_VERSION"
        | b"SQLITE_MASTER"
        | b"DBMS_PIPE"
        | b"UTL_INADDR"
        | b"UTL_HTTP"
        | b"XMLTYPE"
        | b"SYS_CONTEXT"
        | b"MAKE_SET"
        | b"FLOOR"
        | b"JSON_KEYS"
        | b"CONCAT_WS" => true,
        b"ASCII" | b"SUBSTRING" | b"SUBSTR" | b"MID" | b"CHAR" | b"CHR" | b"NCHAR" | b"CONCAT"
        | b"LENGTH" | b"LEN" | b"HEX" | b"UNHEX" | b"CAST" | b"CONVERT" | b"COUNT" | b"IFNULL"
        | b"ISNULL" | b"NULLIF" | b"COALESCE" | b"ELT" | b"ORD" | b"LEFT" | b"RIGHT" | b"LOWER"
        | b"UPPER" | b"VERSION" | b"USER" | b"RAND" | b"PI" | b"MD5" | b"SHA1" | b"COMPRESS"
        | b"AES_ENCRYPT" | b"AES_DECRYPT" | b"CONV" | b"INSTR" | b"LOCATE" | b"REVERSE"
        | b"EXISTS" | b"EXTRACT" | b"BIT_LENGTH" | b"CHAR_LENGTH" | b"DB_NAME" | b"UNICODE"
        | b"SUM" | b"MIN" | b"MAX" | b"AVG" | b"LTRIM" | b"RTRIM" | b"TRIM" | b"STRCMP"
        | b"SPACE" | b"LPAD" | b"RPAD" => false,
        _ => return None,
    };
    Some(Word::Func { attack })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn classification_is_case_insensitive() {
        assert_eq!(classify(b"uNiOn"), Some(Word::Union));
        assert_eq!(classify(b"sleep"), Some(Word::Func { attack: true }));
        assert_eq!(classify(b"waitfor"), Some(Word::Stmt(Stmt::Waitfor)));
        assert_eq!(classify(b"brien"), None);
        assert_eq!(classify(&[b'a'; 40]), None);
    }
}
