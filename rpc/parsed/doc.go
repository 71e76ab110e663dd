// Package parsed renders accounts and instructions in Solana's jsonParsed
// encoding exactly as Agave's RPC shows them (Agave's account-decoder and
// transaction-status crates): which programs are parsed at all, the "type"
// names, the field names, which numbers are JSON strings, and which fields are
// null and which are left out.
//
// It owns only that presentation. Layouts are decoded by the program packages
// (runtime/programs/..., runtime/sysvar), so each layout lives in one place.
// This package must not read a bank or do I/O: every function is a pure
// function of the bytes and keys it is given, and the RPC server looks up
// what it needs (a mint's decimals) and passes it in. Every input may be
// malformed; a parser that cannot read its bytes answers ok=false, the caller
// then shows the raw form as Agave does, and nothing here panics.
//
// Byte-exactness: Agave's RPC output passes through serde_json::Value, whose
// objects are sorted maps, so every object here marshals with its keys sorted
// too; floats (uiAmount, Rent's exemptionThreshold) are written as serde_json
// writes an f64 ("1.0", "0.42", "1e-9"), and a non-finite one as null. The
// caller should marshal with SetEscapeHTML(false), since serde_json does not
// escape '<', '>' and '&' (in memos, for instance).
//
// Where Gnomon accepts less than Solana, this package parses less than Agave,
// because it reads bytes only through the program packages' decoders: the
// legacy vote instructions and the with-seed vote authorizations, the
// Token-2022-only instructions and authority types, Token-2022 accounts with
// extensions, and System's CreateAccountAllowPrefund are all shown raw. None of
// them can succeed on Gnomon, so they appear only in failed transactions.
package parsed
