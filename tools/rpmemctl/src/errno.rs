// SPDX-License-Identifier: GPL-2.0

//! Errno values as rpmemctl reports them: `EBUSY (Device or resource busy)`.

use std::fmt;

/// A positive errno value from a failed system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

impl From<std::io::Error> for Errno {
    /// The errno of a failed system call (`EIO` if it carries none).
    fn from(e: std::io::Error) -> Errno {
        Errno(e.raw_os_error().unwrap_or(EIO))
    }
}

impl fmt::Display for Errno {
    /// `ENAME (strerror text)`, or `errno N (text)` for a number without a name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match name(self.0) {
            Some(n) => write!(f, "{n} ({})", strerror(self.0)),
            None => write!(f, "errno {} ({})", self.0, strerror(self.0)),
        }
    }
}

/// Errno values rpmemctl tells apart.
pub const EPERM: i32 = 1;
pub const ENOENT: i32 = 2;
pub const EINTR: i32 = 4;
pub const EIO: i32 = 5;
pub const ENXIO: i32 = 6;
pub const ENODEV: i32 = 19;
pub const ENOTTY: i32 = 25;

/// The C library's message for `errno`, as `strerror()` gives it (std
/// asks the C library and adds ` (os error N)`, which is cut off here).
pub fn strerror(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match text.strip_suffix(&format!(" (os error {errno})")) {
        Some(message) => message.to_string(),
        None => text,
    }
}

/// The symbolic name of a Linux errno value (x86-64 numbering).
pub fn name(errno: i32) -> Option<&'static str> {
    NAMES.iter().find(|&&(n, _)| n == errno).map(|&(_, s)| s)
}

/// Linux errno numbers (include/uapi/asm-generic/errno-base.h, errno.h).
/// Aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) share a number and are left out.
const NAMES: &[(i32, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (44, "ECHRNG"),
    (45, "EL2NSYNC"),
    (46, "EL3HLT"),
    (47, "EL3RST"),
    (48, "ELNRNG"),
    (49, "EUNATCH"),
    (50, "ENOCSI"),
    (51, "EL2HLT"),
    (52, "EBADE"),
    (53, "EBADR"),
    (54, "EXFULL"),
    (55, "ENOANO"),
    (56, "EBADRQC"),
    (57, "EBADSLT"),
    (59, "EBFONT"),
    (60, "ENOSTR"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (63, "ENOSR"),
    (64, "ENONET"),
    (65, "ENOPKG"),
    (66, "EREMOTE"),
    (67, "ENOLINK"),
    (68, "EADV"),
    (69, "ESRMNT"),
    (70, "ECOMM"),
    (71, "EPROTO"),
    (72, "EMULTIHOP"),
    (73, "EDOTDOT"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (76, "ENOTUNIQ"),
    (77, "EBADFD"),
    (78, "EREMCHG"),
    (79, "ELIBACC"),
    (80, "ELIBBAD"),
    (81, "ELIBSCN"),
    (82, "ELIBMAX"),
    (83, "ELIBEXEC"),
    (84, "EILSEQ"),
    (85, "ERESTART"),
    (86, "ESTRPIPE"),
    (87, "EUSERS"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (117, "EUCLEAN"),
    (118, "ENOTNAM"),
    (119, "ENAVAIL"),
    (120, "EISNAM"),
    (121, "EREMOTEIO"),
    (122, "EDQUOT"),
    (123, "ENOMEDIUM"),
    (124, "EMEDIUMTYPE"),
    (125, "ECANCELED"),
    (126, "ENOKEY"),
    (127, "EKEYEXPIRED"),
    (128, "EKEYREVOKED"),
    (129, "EKEYREJECTED"),
    (130, "EOWNERDEAD"),
    (131, "ENOTRECOVERABLE"),
    (132, "ERFKILL"),
    (133, "EHWPOISON"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is the kernel's: every `#define Exxx n` of the uapi errno
    /// headers the C library builds on (aliases aside) is in it with its
    /// number, and nothing else is.
    #[test]
    fn table_matches_the_kernel_headers() {
        let mut defined = Vec::new();
        for header in ["errno-base.h", "errno.h"] {
            let path = format!("/usr/include/asm-generic/{header}");
            let text = std::fs::read_to_string(&path).expect(&path);
            for line in text.lines() {
                let words: Vec<&str> = line.split_whitespace().collect();
                if let ["#define", name, value, ..] = words[..] {
                    if let Ok(n) = value.parse::<i32>() {
                        defined.push((n, name.to_string()));
                    }
                }
            }
        }
        defined.sort();
        let table: Vec<(i32, String)> = NAMES.iter().map(|&(n, s)| (n, s.to_string())).collect();
        assert_eq!(table, defined);
        // Numbers strictly increase: no duplicates.
        assert!(NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn aliases_and_unknown() {
        assert_eq!(name(11), Some("EAGAIN")); // EWOULDBLOCK
        assert_eq!(name(95), Some("EOPNOTSUPP")); // ENOTSUP
        assert_eq!(name(0), None);
        assert_eq!(name(512), None);
    }

    /// The texts the guest tests grep for.
    #[test]
    fn display() {
        let cases = [
            (16, "EBUSY (Device or resource busy)"),
            (19, "ENODEV (No such device)"),
            (34, "ERANGE (Numerical result out of range)"),
            (22, "EINVAL (Invalid argument)"),
            (27, "EFBIG (File too large)"),
            (30, "EROFS (Read-only file system)"),
            (5, "EIO (Input/output error)"),
            (4, "EINTR (Interrupted system call)"),
        ];
        for (e, want) in cases {
            assert_eq!(Errno(e).to_string(), want);
        }
        assert_eq!(Errno(600).to_string(), "errno 600 (Unknown error 600)");
    }
}
