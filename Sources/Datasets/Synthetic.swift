import Statistics

/// A deterministic synthetic e-commerce dataset with a planted ground truth.
///
/// The catalogue has product categories, each with its own vocabulary, so that titles of one
/// category share words (and the `hash-<d>` encoder places them near each other). Each user
/// starts in one category; with probability `drift` the user's interest moves to another
/// category at a change point drawn between 30% and 70% of their events. 85% of events fall
/// in the current category (popular items more often), 15% anywhere. Events are typed (view,
/// click, cart, purchase), timestamped with exponential gaps of about a day, 10% of them in
/// the same second as the event before. Because interests move, a profile that absorbs recent
/// events ranks the test items better than the static one: that is the planted effect.
public struct SyntheticConfig: Sendable {
    public var users = 300
    public var items = 600
    public var eventsPerUser = 40
    public var drift = 0.8
    public var seed: UInt64 = 42
    public init() {}
}

public enum Synthetic {
    static let categories: [(name: String, words: [String])] = [
        ("Running Shoes", ["running", "shoe", "trail", "cushioned", "marathon", "sneaker", "stride", "mesh", "sole", "jogging"]),
        ("Skin Care", ["serum", "moisturizer", "vitamin", "hyaluronic", "cream", "cleanser", "spf", "retinol", "toner", "hydrating"]),
        ("Coffee", ["coffee", "espresso", "arabica", "roast", "beans", "grinder", "brew", "latte", "decaf", "crema"]),
        ("Headphones", ["headphones", "wireless", "bluetooth", "noise", "cancelling", "earbuds", "bass", "audio", "headset", "stereo"]),
        ("Yoga", ["yoga", "mat", "pilates", "block", "strap", "stretch", "meditation", "cork", "grip", "asana"]),
        ("Kitchen Knives", ["knife", "chef", "santoku", "steel", "blade", "cutting", "sharpener", "paring", "forged", "cleaver"]),
        ("Board Games", ["board", "game", "strategy", "dice", "cards", "puzzle", "family", "cooperative", "expansion", "tabletop"]),
        ("Camping", ["tent", "camping", "sleeping", "bag", "lantern", "backpack", "hiking", "stove", "waterproof", "outdoor"]),
        ("Hair Care", ["shampoo", "conditioner", "hair", "argan", "keratin", "curl", "frizz", "scalp", "mask", "volume"]),
        ("Science Fiction", ["novel", "galaxy", "starship", "robot", "dystopian", "paperback", "saga", "alien", "trilogy", "cyberpunk"]),
        ("Baby", ["baby", "diaper", "stroller", "infant", "bottle", "pacifier", "crib", "teether", "wipes", "toddler"]),
        ("Pet Food", ["dog", "cat", "kibble", "grain", "free", "salmon", "treats", "puppy", "kitten", "chicken"]),
    ]
    static let brands = ["Acme", "Northwind", "Zenith", "Orchid", "Bolt", "Lumen", "Harbor", "Maple", "Nova", "Pioneer", "Summit", "Vela"]
    static let adjectives = ["Premium", "Classic", "Ultra", "Essential", "Pro", "Deluxe", "Eco", "Compact", "Original", "Advanced"]
    static let typeNames = ["view", "click", "cart", "purchase"]

    /// Generates the dataset for `config`; the same config always gives the same dataset.
    public static func generate(_ config: SyntheticConfig) -> Dataset {
        var rng = SeededGenerator(seed: config.seed)
        let C = categories.count
        let I = max(config.items, C), U = max(config.users, 1)
        // Items: category round-robin after a shuffle; popularity rank within the category.
        var itemCategory = (0..<I).map { $0 % C }
        for i in stride(from: I - 1, to: 0, by: -1) { itemCategory.swapAt(i, rng.uniformIndex(i + 1)) }
        var byCategory = [[Int]](repeating: [], count: C)
        for (i, c) in itemCategory.enumerated() { byCategory[c].append(i) }
        var titles: [String] = [], categoryNames: [String] = [], itemIDs: [String] = []
        for i in 0..<I {
            let cat = categories[itemCategory[i]]
            var words: [String] = []
            for _ in 0..<3 {
                var w = cat.words[rng.uniformIndex(cat.words.count)]
                while words.contains(w) { w = cat.words[rng.uniformIndex(cat.words.count)] }
                words.append(w)
            }
            let title = "\(brands[rng.uniformIndex(brands.count)]) \(adjectives[rng.uniformIndex(adjectives.count)]) "
                + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
                + " \(10 + rng.uniformIndex(90))"
            titles.append(title)
            categoryNames.append(cat.name)
            itemIDs.append("P\(String(100000 + i))")
        }
        // Zipf-like popularity inside a category: item at rank r drawn with weight 1/(r+2).
        let cumulative: [[Double]] = byCategory.map { list in
            var acc = 0.0
            return (0..<list.count).map { r in acc += 1.0 / Double(r + 2); return acc }
        }
        func popularItem(in c: Int, _ rng: inout SeededGenerator) -> Int {
            let cum = cumulative[c]
            let u = rng.nextDouble() * cum[cum.count - 1]
            var lo = 0, hi = cum.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cum[mid] < u { lo = mid + 1 } else { hi = mid } }
            return byCategory[c][lo]
        }
        var eu: [UInt32] = [], ei: [UInt32] = [], et: [Int64] = [], ty: [UInt8] = []
        var userIDs: [String] = []
        let start: Int64 = 1_704_067_200   // 2024-01-01T00:00:00Z
        for u in 0..<U {
            userIDs.append("U\(String(10000 + u))")
            let mean = max(config.eventsPerUser, 5)
            let n = max(5, mean / 2 + rng.uniformIndex(mean + 1))
            let a = rng.uniformIndex(C)
            var b = rng.uniformIndex(C - 1); if b >= a { b += 1 }
            let drifts = rng.nextDouble() < config.drift
            let change = drifts ? Int(Double(n) * (0.3 + 0.4 * rng.nextDouble())) : n
            var t = start + Int64(rng.uniformIndex(60 * 86_400))
            for k in 0..<n {
                let current = k < change ? a : b
                let item = rng.nextDouble() < 0.85 ? popularItem(in: current, &rng) : rng.uniformIndex(I)
                if k > 0 {
                    if rng.nextDouble() >= 0.10 { t += Int64(-86_400.0 * _logUniform(&rng)) + 1 }
                }
                let r = rng.nextDouble()
                let type: UInt8 = r < 0.70 ? 0 : r < 0.85 ? 1 : r < 0.95 ? 2 : 3
                eu.append(UInt32(u)); ei.append(UInt32(item)); et.append(t); ty.append(type)
            }
        }
        // File order: a global log sorted by time (stable, so a user's same-second events keep order).
        let order = (0..<eu.count).sorted { (et[$0], $0) < (et[$1], $1) }
        return Dataset(eventUser: order.map { eu[$0] }, eventItem: order.map { ei[$0] }, eventTime: order.map { et[$0] },
                       eventType: order.map { ty[$0] }, typeNames: typeNames, itemIDs: itemIDs, userIDs: userIDs,
                       itemFields: [("title", titles), ("category", categoryNames)])
    }

    /// log(u) for u uniform in (0, 1]: an exponential gap of mean 1 when negated.
    static func _logUniform(_ rng: inout SeededGenerator) -> Double {
        var u = rng.nextDouble()
        while u <= 0 { u = rng.nextDouble() }
        return _ln(u)
    }
}

#if canImport(Glibc)
import Glibc
private func _ln(_ x: Double) -> Double { Glibc.log(x) }
#else
import Foundation
private func _ln(_ x: Double) -> Double { Foundation.log(x) }
#endif
