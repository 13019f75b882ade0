// One parser for Kubernetes quantities, shared by the program (config/apps.ts) and the policy pack: it
// imports nothing, so the pack (a package of its own under policies/) can use it too.
//
// Exact parser for Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource).
//
//   <quantity> ::= <signedNumber><suffix>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei          (binary, powers of 1024)
//                | n | u | m | "" | k | M | G | T | P | E (decimal SI)
//                | e<signedInt> | E<signedInt>         (decimal exponent)
//
// Values are kept as exact rationals (bigint numerator / bigint denominator) in base units: cores for
// CPU, bytes for memory. No floating point is involved, so "2" and "2000m" compare equal and "1Gi" is
// exactly 1073741824 bytes.

/** A parsed quantity: value = num / den base units (den > 0). `text` is the original spelling. */
export interface Quantity {
    readonly text: string;
    readonly num: bigint;
    readonly den: bigint;
}

/** Result of parsing: either a quantity or the reason it is not one. */
export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; reason: string };

const BINARY: { [suffix: string]: bigint } = {
    Ki: BigInt(2) ** BigInt(10),
    Mi: BigInt(2) ** BigInt(20),
    Gi: BigInt(2) ** BigInt(30),
    Ti: BigInt(2) ** BigInt(40),
    Pi: BigInt(2) ** BigInt(50),
    Ei: BigInt(2) ** BigInt(60),
};

const DECIMAL_EXPONENT: { [suffix: string]: number } = {
    n: -9,
    u: -6,
    m: -3,
    "": 0,
    k: 3,
    M: 6,
    G: 9,
    T: 12,
    P: 15,
    E: 18,
};

// Number, then (exponent | binary suffix | decimal suffix). The exponent alternative comes first so
// that "1E3" is 1000 and a bare "1E" is one exa.
const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E))?$/;

/** Largest decimal exponent accepted (keeps bigint arithmetic bounded on hostile input). */
const MAX_EXPONENT = 100;

const TEN = BigInt(10);
const ZERO = BigInt(0);

function pow10(e: number): bigint {
    return TEN ** BigInt(e);
}

/**
 * Parses a Kubernetes quantity. Numbers (as the Kubernetes provider accepts `cpu: 1`) are read via their
 * decimal spelling. Never throws.
 */
export function tryParseQuantity(value: unknown): QuantityResult {
    let text: string;
    if (typeof value === "number") {
        if (!isFinite(value)) {
            return { ok: false, reason: `${value} is not a finite number` };
        }
        text = String(value);
    } else if (typeof value === "string") {
        text = value;
    } else {
        return { ok: false, reason: `expected a string such as "500m" or "1Gi", got ${describeValue(value)}` };
    }
    const m = QUANTITY_RE.exec(text.trim() === text ? text : "\u0000");
    if (!m) {
        return {
            ok: false,
            reason: `"${text}" is not a Kubernetes quantity (examples: "500m", "0.5", "2", "1Gi", "512Mi", "1G", "1e3")`,
        };
    }
    const [, sign, digits, exponent, binary, decimal] = m;
    const [intPart, fracPart = ""] = digits.split(".");
    let num = BigInt((intPart || "0") + fracPart);
    let den = pow10(fracPart.length);
    if (exponent !== undefined || decimal !== undefined) {
        const e = exponent !== undefined ? parseInt(exponent.slice(1), 10) : DECIMAL_EXPONENT[decimal as string];
        if (Math.abs(e) > MAX_EXPONENT) {
            return { ok: false, reason: `"${text}" has an exponent out of range (at most ${MAX_EXPONENT})` };
        }
        if (e >= 0) {
            num *= pow10(e);
        } else {
            den *= pow10(-e);
        }
    } else if (binary !== undefined) {
        num *= BINARY[binary];
    }
    if (sign === "-") {
        num = -num;
    }
    return { ok: true, quantity: { text, num, den } };
}

/** Parses a quantity or throws an Error whose message names the value. */
export function parseQuantity(value: unknown): Quantity {
    const r = tryParseQuantity(value);
    if (!r.ok) {
        throw new Error(r.reason);
    }
    return r.quantity;
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
    const l = a.num * b.den;
    const r = b.num * a.den;
    return l < r ? -1 : l > r ? 1 : 0;
}

export function isZero(q: Quantity): boolean {
    return q.num === ZERO;
}

export function isNegative(q: Quantity): boolean {
    return q.num < ZERO;
}

/** True when limit / request > ratio (exact; request must be positive). */
export function ratioExceeds(limit: Quantity, request: Quantity, ratio: number): boolean {
    const r = parseQuantity(ratio);
    // limit.num/limit.den > r.num/r.den * request.num/request.den
    return limit.num * r.den * request.den > r.num * request.num * limit.den;
}

/** The ratio a / b as a short decimal string (for messages). */
export function formatRatio(a: Quantity, b: Quantity): string {
    return formatRational(a.num * b.den, a.den * b.num, 2);
}

/** CPU in millicores, as text (e.g. "2000m"; fractional millicores keep up to 3 decimals). */
export function toMillicores(q: Quantity): string {
    return `${formatRational(q.num * BigInt(1000), q.den, 3)}m`;
}

/** Memory in bytes, as text (e.g. "2147483648 bytes"). */
export function toBytes(q: Quantity): string {
    return `${formatRational(q.num, q.den, 3)} bytes`;
}

function formatRational(num: bigint, den: bigint, decimals: number): string {
    if (den < ZERO) {
        num = -num;
        den = -den;
    }
    const neg = num < ZERO;
    const abs = neg ? -num : num;
    const int = abs / den;
    let rem = abs % den;
    let frac = "";
    for (let i = 0; i < decimals && rem !== ZERO; i++) {
        rem *= TEN;
        frac += (rem / den).toString();
        rem %= den;
    }
    if (rem !== ZERO) {
        frac += "…";
    }
    return `${neg ? "-" : ""}${int.toString()}${frac ? "." + frac : ""}`;
}

/** A short, safe rendering of any value for error messages. */
export function describeValue(value: unknown): string {
    if (value === undefined) {
        return "undefined";
    }
    if (typeof value === "string") {
        return JSON.stringify(value);
    }
    if (typeof value === "bigint") {
        return value.toString();
    }
    try {
        const s = JSON.stringify(value);
        return s === undefined ? String(value) : s.length > 80 ? s.slice(0, 77) + "..." : s;
    } catch {
        return String(value);
    }
}

