//! A lead's counters from its interactions: which interactions count (`Direction::is_counted`, said
//! once here for SQL and for the query builder) and the one recount that the retention clean-up and the
//! bulk load share.

use diesel::dsl::EqAny;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt};

use crate::db::schema::interactions;
use crate::domain::interaction::Direction;

/// The directions whose interactions count on their lead and in its score.
#[must_use]
pub fn counted_directions() -> Vec<Direction> {
    Direction::ALL
        .into_iter()
        .filter(|d| d.is_counted())
        .collect()
}

/// The rule for the query builder: `interactions.direction IN (counted directions)`.
#[must_use]
pub fn counted() -> EqAny<interactions::direction, Vec<Direction>> {
    interactions::direction.eq_any(counted_directions())
}

/// The rule in SQL, for raw statements on `interactions` (aliased `alias`, or unaliased with "").
#[must_use]
pub fn counted_sql(alias: &str) -> String {
    let ids: Vec<String> = counted_directions()
        .into_iter()
        .map(|d| format!("'{}'", d.as_str()))
        .collect();
    let column = if alias.is_empty() {
        "direction".to_owned()
    } else {
        format!("{alias}.direction")
    };
    format!("{column} IN ({})", ids.join(", "))
}

/// Which leads a recount covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The leads of the account's interactions.
    Account(i64),
    /// These leads.
    Leads(&'a [i64]),
}

/// Sets the counters (`kind_counts`, `interactions_count`) and the first and last times of the leads in
/// `scope` from their counted interactions, in one `UPDATE ... FROM (... GROUP BY)`; leaves alone the
/// leads already right. With `mark_analysed`, also marks them analysed at that count (a bulk load
/// writes its analyses with the leads). Answers how many leads changed.
pub fn recount(
    conn: &mut PgConnection,
    scope: Scope<'_>,
    mark_analysed: bool,
) -> QueryResult<usize> {
    let filter = match scope {
        Scope::Account(_) => "account_id = $1",
        Scope::Leads(_) => "lead_id = ANY($1)",
    };
    let analysed = if mark_analysed {
        "analysed_interactions = c.total, "
    } else {
        ""
    };
    let statement = format!(
        "UPDATE leads l SET kind_counts = c.kinds, interactions_count = c.total, {analysed}\
            first_seen_at = c.first, last_interaction_at = c.last, updated_at = now() \
         FROM (SELECT lead_id, jsonb_object_agg(kind, n) AS kinds, sum(n)::int AS total, \
                 min(first) AS first, max(last) AS last \
               FROM (SELECT lead_id, kind, count(*)::int AS n, min(occurred_at) AS first, \
                       max(occurred_at) AS last \
                     FROM interactions WHERE {filter} AND {counted} GROUP BY lead_id, kind) k \
               GROUP BY lead_id) c \
         WHERE l.id = c.lead_id \
           AND (l.interactions_count, l.kind_counts, l.first_seen_at, l.last_interaction_at) \
               IS DISTINCT FROM (c.total, c.kinds, c.first, c.last)",
        counted = counted_sql(""),
    );
    let query = diesel::sql_query(statement);
    match scope {
        Scope::Account(id) => query.bind::<BigInt, _>(id).execute(conn),
        Scope::Leads(ids) => query.bind::<Array<BigInt>, _>(ids).execute(conn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_incoming_interactions_are_counted_in_sql() {
        assert_eq!(counted_sql("i"), "i.direction IN ('incoming')");
        assert_eq!(counted_directions(), vec![Direction::Incoming]);
    }
}
