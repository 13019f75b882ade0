import * as assert from "assert";
import { compareQuantities, isZero, parseQuantity, ratioExceeds, toBytes, toMillicores, tryParseQuantity } from "../../contract/quantity";

function value(text: string | number): [bigint, bigint] {
    const q = parseQuantity(text);
    return [q.num, q.den];
}

/** q == num/den exactly */
function eq(text: string | number, num: bigint, den = BigInt(1)): void {
    const [n, d] = value(text);
    assert.strictEqual(n * den, num * d, `${text} should be ${num}/${den}, got ${n}/${d}`);
}

describe("quantity parser", () => {
    it("parses decimal and SI forms exactly", () => {
        eq("500m", BigInt(1), BigInt(2));
        eq("0.5", BigInt(1), BigInt(2));
        eq("1", BigInt(1));
        eq("1e3", BigInt(1000));
        eq("1E3", BigInt(1000));
        eq("1G", BigInt(1000000000));
        eq("1k", BigInt(1000));
        eq(".5", BigInt(1), BigInt(2));
        eq("2.", BigInt(2));
        eq("250u", BigInt(1), BigInt(4000));
        eq(2, BigInt(2));
        eq(0.25, BigInt(1), BigInt(4));
    });

    it("parses binary suffixes exactly", () => {
        eq("1Gi", BigInt(1073741824));
        eq("100Ki", BigInt(102400));
        eq("1.5Gi", BigInt(1610612736));
        eq("512Mi", BigInt(536870912));
    });

    it("reads 0 as a valid zero", () => {
        assert.ok(isZero(parseQuantity("0")));
        assert.ok(isZero(parseQuantity("0Gi")));
    });

    for (const bad of ["", "abc", "10Gx", "1e3m", "1.2.3", "Gi", "1 Gi", " 1", "1gi", "--1", "1e", "0x10", "1Kib"]) {
        it(`rejects ${JSON.stringify(bad)} and names the value`, () => {
            const r = tryParseQuantity(bad);
            assert.strictEqual(r.ok, false);
            assert.ok(!r.ok && r.reason.includes(JSON.stringify(bad)), !r.ok ? r.reason : "");
        });
    }

    it("rejects non-strings and non-numbers", () => {
        for (const v of [undefined, null, true, {}, [], NaN, Infinity]) {
            assert.strictEqual(tryParseQuantity(v).ok, false, String(v));
        }
    });

    it("bounds the exponent instead of computing 10^huge", () => {
        assert.strictEqual(tryParseQuantity("1e999999999").ok, false);
    });

    it("compares CPU in millicores and memory in bytes exactly", () => {
        assert.strictEqual(compareQuantities(parseQuantity("2"), parseQuantity("2000m")), 0);
        assert.strictEqual(compareQuantities(parseQuantity("2001m"), parseQuantity("2")), 1);
        assert.strictEqual(compareQuantities(parseQuantity("1G"), parseQuantity("1Gi")), -1);
        assert.strictEqual(compareQuantities(parseQuantity("2Gi"), parseQuantity("2048Mi")), 0);
        assert.strictEqual(compareQuantities(parseQuantity("0.1"), parseQuantity("100m")), 0);
        assert.strictEqual(toMillicores(parseQuantity("2")), "2000m");
        assert.strictEqual(toMillicores(parseQuantity("0.5m")), "0.5m");
        assert.strictEqual(toBytes(parseQuantity("2Gi")), "2147483648 bytes");
    });

    it("compares a limit/request ratio exactly", () => {
        assert.strictEqual(ratioExceeds(parseQuantity("400m"), parseQuantity("100m"), 4), false);
        assert.strictEqual(ratioExceeds(parseQuantity("401m"), parseQuantity("100m"), 4), true);
        assert.strictEqual(ratioExceeds(parseQuantity("1Gi"), parseQuantity("256Mi"), 4), false);
        assert.strictEqual(ratioExceeds(parseQuantity("1Gi"), parseQuantity("256Mi"), 3.5), true);
    });
});
