//! The lead score, 0 to 100, that a creator can read: weights per kind of interaction, at most five of
//! each kind counted, bonuses for telling combinations, decay with a half-life, and the explanation
//! (every contribution, the decay, the bonuses, the cap) that adds up to the score.
//!
//! How a score is made:
//! - Each kind has a weight ([`weight`]). Of each kind only the [`MAX_COUNTED_PER_KIND`] most recent
//!   interactions count, so a burst of likes cannot buy a high score and the decay favours what is
//!   recent.
//! - Each counted interaction brings `weight * 0.5^(age_days / half_life_days)`. An interaction dated
//!   in the future (clock skew between a platform and us) counts as if it happened now. A half-life that
//!   is not a positive number means no decay.
//! - Bonuses reward combinations that tell more than their parts: a comment and a follow (+10,
//!   `comment_and_follow`), a comment and a share (+15, `comment_and_share`). A bonus decays like an
//!   interaction as old as the pair's older side: of the two kinds, take each one's most recent
//!   interaction, and the bonus decays with the older of those two. So a follow today on top of a comment
//!   made two weeks ago earns half the bonus, a pair made last year almost nothing, and there is no cliff
//!   at an arbitrary cut-off: a score drifts down smoothly as time passes.
//! - The total is capped at 100; what the cap removed is `capped_off`. The score is that capped total
//!   rounded to the nearest integer (halves away from zero), computed from the explanation itself so
//!   that the explanation always adds up to the score.
//!
//! This module is pure and cheap (a few allocations per lead); its speed is measured by the
//! benchmarks, never asserted by a `#[test]`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::interaction::Kind;

/// A workspace's score thresholds and half-life, as its settings form gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// From this score a lead is worth contacting.
    pub targetable: u8,
    /// From this score a lead is hot.
    pub hot: u8,
    /// From this score a lead gets a draft message.
    pub draft: u8,
    pub half_life_days: u16,
}

impl Thresholds {
    /// Reads the four fields; each refusal names its field and the message key.
    ///
    /// # Errors
    /// Every field that is not a whole number in its range, and a hot threshold under the targetable one.
    pub fn parse(
        targetable: &str,
        hot: &str,
        draft: &str,
        half_life_days: &str,
    ) -> Result<Self, Vec<(&'static str, &'static str)>> {
        let mut refused = Vec::new();
        let mut score = |field: &'static str, text: &str| {
            let value = text.trim().parse::<u8>().ok().filter(|v| *v <= 100);
            if value.is_none() {
                refused.push((field, "errors.score_range"));
            }
            value
        };
        let (targetable, hot, draft) = (
            score("targetable_score", targetable),
            score("hot_score", hot),
            score("draft_score", draft),
        );
        let half_life = half_life_days
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|d| (1..=365).contains(d));
        if half_life.is_none() {
            refused.push(("score_half_life_days", "errors.half_life_range"));
        }
        if let (Some(t), Some(h)) = (targetable, hot)
            && h < t
        {
            refused.push(("hot_score", "errors.hot_below_targetable"));
        }
        match (targetable, hot, draft, half_life) {
            (Some(targetable), Some(hot), Some(draft), Some(half_life_days))
                if refused.is_empty() =>
            {
                Ok(Self {
                    targetable,
                    hot,
                    draft,
                    half_life_days,
                })
            }
            _ => Err(refused),
        }
    }
}

/// How scores are computed in a workspace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoringPolicy {
    /// After this many days an interaction counts half as much.
    pub half_life_days: f64,
}

impl Default for ScoringPolicy {
    fn default() -> Self {
        Self {
            half_life_days: 14.0,
        }
    }
}

/// What one kind of interaction brought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub kind: Kind,
    /// How many the lead did, and how many counted (at most five).
    pub count: u32,
    pub counted: u32,
    pub weight: f64,
    /// Points before and after the decay.
    pub full_points: f64,
    pub points: f64,
}

/// A bonus for a combination of kinds ("comment_and_follow", "comment_and_share").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bonus {
    pub key: String,
    pub points: f64,
}

/// Why a lead has its score: `contributions` + `bonuses` - `capped_off`, rounded, is the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub contributions: Vec<Contribution>,
    pub bonuses: Vec<Bonus>,
    /// Points above 100 that the cap removed.
    pub capped_off: f64,
    pub half_life_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub score: u8,
    pub explanation: Explanation,
}

/// The highest score.
pub const MAX_SCORE: f64 = 100.0;

/// How many interactions of one kind count (the most recent ones).
pub const MAX_COUNTED_PER_KIND: usize = 5;

/// What one interaction of this kind is worth when fresh.
///
/// The product's spec also weighs a "save" at 12; no platform reader gives us saves yet, so there is
/// no `Kind::Save`. Adding one is one variant in `Kind` and one arm here (the match is exhaustive, so
/// the compiler points at this table).
#[must_use]
pub const fn weight(kind: Kind) -> f64 {
    match kind {
        // A comment like (liking a comment under the creator's post) is worth a like: 1. The spec
        // does not weigh it; it is about as much effort and says as little.
        // A reaction to a message is a like of something the creator wrote to them: 1.
        Kind::Like | Kind::CommentLike | Kind::Reaction => 1.0,
        Kind::Comment => 5.0,
        Kind::Follow => 10.0,
        Kind::Share => 15.0,
        Kind::Mention => 8.0,
        Kind::Message => 20.0,
    }
}

/// A combination of two kinds that earns extra points when the lead did both.
struct Combination {
    key: &'static str,
    kinds: (Kind, Kind),
    points: f64,
}

const COMBINATIONS: [Combination; 2] = [
    Combination {
        key: "comment_and_follow",
        kinds: (Kind::Comment, Kind::Follow),
        points: 10.0,
    },
    Combination {
        key: "comment_and_share",
        kinds: (Kind::Comment, Kind::Share),
        points: 15.0,
    },
];

const SECONDS_PER_DAY: f64 = 86_400.0;

/// Scores a lead's interactions (kind and time) as of `now`.
#[must_use]
pub fn score(
    events: &[(Kind, DateTime<Utc>)],
    now: DateTime<Utc>,
    policy: &ScoringPolicy,
) -> Scored {
    let decay = Decay::new(now, policy.half_life_days);

    // Most recent first, per kind, in `Kind::ALL` order.
    let mut by_kind: [Vec<DateTime<Utc>>; Kind::ALL.len()] = Default::default();
    for &(kind, at) in events {
        by_kind[kind.index()].push(at);
    }
    for times in &mut by_kind {
        times.sort_unstable_by(|a, b| b.cmp(a));
    }

    let contributions: Vec<Contribution> = Kind::ALL
        .into_iter()
        .zip(&by_kind)
        .filter(|(_, times)| !times.is_empty())
        .map(|(kind, times)| contribution(kind, times, &decay))
        .collect();

    let bonuses: Vec<Bonus> = COMBINATIONS
        .iter()
        .filter_map(|combination| {
            let (a, b) = combination.kinds;
            let latest_a = by_kind[a.index()].first()?;
            let latest_b = by_kind[b.index()].first()?;
            let older_side = (*latest_a).min(*latest_b);
            Some(Bonus {
                key: combination.key.to_owned(),
                points: combination.points * decay.factor(older_side),
            })
        })
        .collect();

    let total = sum_of(&contributions, &bonuses);
    let capped_off = if total > MAX_SCORE {
        total - MAX_SCORE
    } else {
        0.0
    };
    // The score is read off the explanation with the very expression a reader would use, so the
    // explanation adds up to the score even where floating point is not associative.
    let score = to_score(sum_of(&contributions, &bonuses) - capped_off);

    Scored {
        score,
        explanation: Explanation {
            contributions,
            bonuses,
            capped_off,
            half_life_days: policy.half_life_days,
        },
    }
}

/// What one kind brought: `times` are this kind's interactions, most recent first, not empty.
fn contribution(kind: Kind, times: &[DateTime<Utc>], decay: &Decay) -> Contribution {
    let weight = weight(kind);
    let counted_times = &times[..times.len().min(MAX_COUNTED_PER_KIND)];
    let counted = to_u32(counted_times.len());
    Contribution {
        kind,
        count: to_u32(times.len()),
        counted,
        weight,
        full_points: weight * f64::from(counted),
        points: counted_times
            .iter()
            .map(|&at| weight * decay.factor(at))
            .sum(),
    }
}

fn sum_of(contributions: &[Contribution], bonuses: &[Bonus]) -> f64 {
    contributions.iter().map(|c| c.points).sum::<f64>()
        + bonuses.iter().map(|b| b.points).sum::<f64>()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the value is rounded and clamped to 0..=100 first, which fits a u8 exactly"
)]
fn to_score(points: f64) -> u8 {
    if points.is_nan() {
        return 0;
    }
    points.round().clamp(0.0, MAX_SCORE) as u8
}

/// How much an interaction still counts, by its age.
struct Decay {
    now: DateTime<Utc>,
    /// `None` when the policy's half-life is not a positive number: then nothing decays.
    half_life_days: Option<f64>,
}

impl Decay {
    fn new(now: DateTime<Utc>, half_life_days: f64) -> Self {
        Self {
            now,
            half_life_days: (half_life_days.is_finite() && half_life_days > 0.0)
                .then_some(half_life_days),
        }
    }

    /// `0.5^(age_days / half_life_days)`, with an age never below zero.
    fn factor(&self, at: DateTime<Utc>) -> f64 {
        let Some(half_life_days) = self.half_life_days else {
            return 1.0;
        };
        let age_ms = (self.now - at).num_milliseconds().max(0);
        #[expect(
            clippy::cast_precision_loss,
            reason = "ages are far below 2^53 ms (285,000 years); the loss is sub-millisecond at worst"
        )]
        let age_days = age_ms as f64 / 1000.0 / SECONDS_PER_DAY;
        0.5_f64.powf(age_days / half_life_days)
    }
}

#[cfg(test)]
mod threshold_tests {
    use super::Thresholds;

    #[test]
    fn thresholds_are_read_in_range_and_hot_is_not_under_targetable() {
        assert_eq!(
            Thresholds::parse("15", "70", "50", "14"),
            Ok(Thresholds {
                targetable: 15,
                hot: 70,
                draft: 50,
                half_life_days: 14
            })
        );
        assert_eq!(
            Thresholds::parse("80", "70", "101", "0"),
            Err(vec![
                ("draft_score", "errors.score_range"),
                ("score_half_life_days", "errors.half_life_range"),
                ("hot_score", "errors.hot_below_targetable"),
            ])
        );
        assert!(Thresholds::parse("x", "70", "50", "14").is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone as _};
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 0).unwrap()
    }

    fn policy() -> ScoringPolicy {
        ScoringPolicy::default()
    }

    fn days_ago(days: f64) -> DateTime<Utc> {
        #[expect(clippy::cast_possible_truncation, reason = "test ages are small")]
        let seconds = (days * SECONDS_PER_DAY) as i64;
        now() - Duration::seconds(seconds)
    }

    fn fresh(kind: Kind, n: usize) -> Vec<(Kind, DateTime<Utc>)> {
        vec![(kind, now()); n]
    }

    fn adds_up(scored: &Scored) -> bool {
        let e = &scored.explanation;
        let sum = e.contributions.iter().map(|c| c.points).sum::<f64>()
            + e.bonuses.iter().map(|b| b.points).sum::<f64>()
            - e.capped_off;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked below"
        )]
        let rounded = sum.round() as u8;
        (0.0..=100.0).contains(&sum.round()) && rounded == scored.score
    }

    fn points_of(scored: &Scored, kind: Kind) -> f64 {
        scored
            .explanation
            .contributions
            .iter()
            .find(|c| c.kind == kind)
            .map_or(0.0, |c| c.points)
    }

    #[test]
    fn an_empty_list_scores_zero_with_an_empty_explanation() {
        // Act
        let scored = score(&[], now(), &policy());

        // Assert
        assert_eq!(scored.score, 0);
        assert!(scored.explanation.contributions.is_empty());
        assert!(scored.explanation.bonuses.is_empty());
        assert!(scored.explanation.capped_off.abs() < f64::EPSILON);
        assert!((scored.explanation.half_life_days - 14.0).abs() < f64::EPSILON);
    }

    #[test]
    fn each_kind_alone_and_fresh_scores_its_weight() {
        let expected = [
            (Kind::Like, 1),
            (Kind::Comment, 5),
            (Kind::Follow, 10),
            (Kind::Share, 15),
            (Kind::Mention, 8),
            (Kind::CommentLike, 1),
            (Kind::Message, 20),
        ];
        for (kind, points) in expected {
            // Act
            let scored = score(&fresh(kind, 1), now(), &policy());

            // Assert
            assert_eq!(scored.score, points, "{kind:?}");
            let [contribution] = scored.explanation.contributions.as_slice() else {
                panic!("one contribution for {kind:?}");
            };
            assert_eq!(contribution.kind, kind);
            assert_eq!((contribution.count, contribution.counted), (1, 1));
            assert!((contribution.weight - f64::from(points)).abs() < 1e-9);
            assert!((contribution.full_points - f64::from(points)).abs() < 1e-9);
            assert!((contribution.points - f64::from(points)).abs() < 1e-9);
            assert!(scored.explanation.bonuses.is_empty());
        }
    }

    #[test]
    fn seven_likes_count_as_five() {
        // Arrange
        let events = fresh(Kind::Like, 7);

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert_eq!(scored.score, 5);
        let like = &scored.explanation.contributions[0];
        assert_eq!((like.count, like.counted), (7, 5));
        assert!((like.full_points - 5.0).abs() < 1e-9);
    }

    #[test]
    fn the_five_most_recent_of_a_kind_are_the_ones_that_count() {
        // Arrange: two old comments listed first, then five fresh ones.
        let mut events = vec![(Kind::Comment, days_ago(365.0)); 2];
        events.extend(fresh(Kind::Comment, 5));

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert_eq!(scored.score, 25);
        assert!((points_of(&scored, Kind::Comment) - 25.0).abs() < 1e-9);
    }

    #[test]
    fn a_comment_and_a_follow_earn_the_comment_and_follow_bonus() {
        // Arrange
        let events = [(Kind::Comment, now()), (Kind::Follow, now())];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert_eq!(scored.score, 5 + 10 + 10);
        assert_eq!(
            scored.explanation.bonuses,
            vec![Bonus {
                key: "comment_and_follow".into(),
                points: 10.0
            }]
        );
    }

    #[test]
    fn a_comment_a_follow_and_a_share_earn_both_bonuses() {
        // Arrange
        let events = [
            (Kind::Share, now()),
            (Kind::Comment, now()),
            (Kind::Follow, now()),
        ];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert_eq!(scored.score, 5 + 10 + 15 + 10 + 15);
        let keys: Vec<&str> = scored
            .explanation
            .bonuses
            .iter()
            .map(|b| b.key.as_str())
            .collect();
        assert_eq!(keys, ["comment_and_follow", "comment_and_share"]);
    }

    #[test]
    fn one_side_of_a_pair_alone_earns_no_bonus() {
        // Arrange
        let events = [(Kind::Follow, now()), (Kind::Share, now())];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert!(scored.explanation.bonuses.is_empty());
        assert_eq!(scored.score, 25);
    }

    #[test]
    fn a_bonus_decays_with_the_older_side_of_its_pair() {
        // Arrange: the latest comment is one half-life old, the follow is fresh.
        let events = [
            (Kind::Comment, days_ago(14.0)),
            (Kind::Comment, days_ago(30.0)),
            (Kind::Follow, now()),
        ];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        let bonus = &scored.explanation.bonuses[0];
        assert_eq!(bonus.key, "comment_and_follow");
        assert!((bonus.points - 5.0).abs() < 1e-9, "{}", bonus.points);
    }

    #[test]
    fn a_pair_from_last_year_earns_almost_no_bonus() {
        // Arrange
        let events = [
            (Kind::Comment, days_ago(365.0)),
            (Kind::Share, days_ago(365.0)),
        ];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert!(scored.explanation.bonuses[0].points < 0.001);
        assert_eq!(scored.score, 0);
    }

    #[test]
    fn a_total_above_one_hundred_is_capped_and_says_how_much_was_cut() {
        // Arrange: 5 messages (100) + 5 shares (75) + a comment (5) + the comment-and-share bonus (15).
        let mut events = fresh(Kind::Message, 5);
        events.extend(fresh(Kind::Share, 5));
        events.extend(fresh(Kind::Comment, 1));

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert_eq!(scored.score, 100);
        assert!((scored.explanation.capped_off - 95.0).abs() < 1e-9);
        assert!(adds_up(&scored));
    }

    #[test]
    fn a_total_of_exactly_one_hundred_cuts_nothing() {
        // Arrange
        let events = fresh(Kind::Message, 5);

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert_eq!(scored.score, 100);
        assert!(scored.explanation.capped_off.abs() < f64::EPSILON);
    }

    #[test]
    fn an_interaction_one_half_life_old_counts_half() {
        // Arrange
        let events = [(Kind::Message, days_ago(14.0))];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert!((points_of(&scored, Kind::Message) - 10.0).abs() < 1e-9);
        assert!((scored.explanation.contributions[0].full_points - 20.0).abs() < 1e-9);
        assert_eq!(scored.score, 10);
    }

    #[test]
    fn the_half_life_comes_from_the_policy() {
        // Arrange
        let events = [(Kind::Message, days_ago(7.0))];
        let weekly = ScoringPolicy {
            half_life_days: 7.0,
        };

        // Act
        let scored = score(&events, now(), &weekly);

        // Assert
        assert_eq!(scored.score, 10);
        assert!((scored.explanation.half_life_days - 7.0).abs() < f64::EPSILON);
    }

    #[test]
    fn an_interaction_from_last_year_counts_nearly_nothing() {
        // Arrange
        let events = [(Kind::Message, days_ago(365.0))];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert!(points_of(&scored, Kind::Message) < 0.001);
        assert_eq!(scored.score, 0);
        assert_eq!(scored.explanation.contributions[0].count, 1);
    }

    #[test]
    fn an_interaction_dated_in_the_future_counts_as_now() {
        // Arrange
        let events = [(Kind::Follow, now() + Duration::days(3))];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        assert!((points_of(&scored, Kind::Follow) - 10.0).abs() < 1e-9);
        assert_eq!(scored.score, 10);
    }

    #[test]
    fn a_half_life_that_is_not_positive_means_no_decay() {
        for half_life_days in [0.0, -3.0, f64::NAN, f64::INFINITY] {
            // Arrange
            let events = [(Kind::Share, days_ago(100.0))];

            // Act
            let scored = score(&events, now(), &ScoringPolicy { half_life_days });

            // Assert
            assert_eq!(scored.score, 15, "half-life {half_life_days}");
        }
    }

    #[test]
    fn a_fan_active_this_week_outranks_a_bigger_fan_from_last_year() {
        // Arrange
        let this_week = [
            (Kind::Comment, days_ago(1.0)),
            (Kind::Like, days_ago(2.0)),
            (Kind::Follow, days_ago(3.0)),
        ];
        let mut last_year = vec![(Kind::Message, days_ago(360.0)); 3];
        last_year.extend(vec![(Kind::Share, days_ago(365.0)); 5]);
        last_year.extend(vec![(Kind::Comment, days_ago(370.0)); 5]);
        last_year.extend(vec![(Kind::Follow, days_ago(370.0)); 1]);

        // Act
        let recent = score(&this_week, now(), &policy());
        let old = score(&last_year, now(), &policy());

        // Assert
        assert!(
            recent.score > old.score,
            "{} vs {}",
            recent.score,
            old.score
        );
        assert!(recent.score >= 20, "{}", recent.score);
    }

    #[test]
    fn contributions_follow_the_order_of_kinds_and_only_list_kinds_the_lead_did() {
        // Arrange
        let events = [
            (Kind::Message, now()),
            (Kind::Like, now()),
            (Kind::Share, now()),
        ];

        // Act
        let scored = score(&events, now(), &policy());

        // Assert
        let kinds: Vec<Kind> = scored
            .explanation
            .contributions
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, [Kind::Like, Kind::Share, Kind::Message]);
    }

    #[test]
    fn a_score_rounds_to_the_nearest_integer() {
        // Arrange: a like a little more than one half-life old brings 0.49..., a comment 5.
        let below_half = [(Kind::Like, days_ago(14.5)), (Kind::Comment, now())];
        let above_half = [(Kind::Like, days_ago(13.5)), (Kind::Comment, now())];

        // Act
        let below = score(&below_half, now(), &policy());
        let above = score(&above_half, now(), &policy());

        // Assert
        assert_eq!(below.score, 5);
        assert_eq!(above.score, 6);
        assert!(adds_up(&below) && adds_up(&above));
    }

    #[test]
    fn the_explanation_serialises_with_kind_names() {
        // Arrange
        let scored = score(&[(Kind::CommentLike, now())], now(), &policy());

        // Act
        let json = serde_json::to_value(&scored.explanation).unwrap();

        // Assert
        assert_eq!(json["contributions"][0]["kind"], "comment_like");
        let back: Explanation = serde_json::from_value(json).unwrap();
        assert_eq!(back, scored.explanation);
    }

    fn any_kind() -> impl Strategy<Value = Kind> {
        (0..Kind::ALL.len()).prop_map(|i| Kind::ALL[i])
    }

    proptest! {
        #[test]
        fn the_explanation_always_adds_up_to_the_score(
            events in prop::collection::vec((any_kind(), -5_i64 * 86_400..800 * 86_400), 0..60),
            half_life_days in 0.5_f64..90.0,
        ) {
            // Arrange
            let events: Vec<(Kind, DateTime<Utc>)> = events
                .into_iter()
                .map(|(kind, age)| (kind, now() - Duration::seconds(age)))
                .collect();

            // Act
            let scored = score(&events, now(), &ScoringPolicy { half_life_days });

            // Assert
            prop_assert!(adds_up(&scored), "{:?}", scored);
            prop_assert!(scored.score <= 100);
            let e = &scored.explanation;
            prop_assert!(e.capped_off >= 0.0);
            let kinds: Vec<Kind> = e.contributions.iter().map(|c| c.kind).collect();
            let expected: Vec<Kind> = Kind::ALL
                .into_iter()
                .filter(|k| events.iter().any(|(done, _)| done == k))
                .collect();
            prop_assert_eq!(kinds, expected);
            for c in &e.contributions {
                prop_assert!(c.counted <= 5 && c.counted <= c.count);
                prop_assert!(c.points <= c.full_points + 1e-9);
                prop_assert!((c.full_points - c.weight * f64::from(c.counted)).abs() < 1e-9);
            }
        }
    }
}
