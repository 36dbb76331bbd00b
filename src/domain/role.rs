//! Roles in a workspace and the rules for changing them.

use super::Invalid;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// # Errors
    /// `errors.role_invalid` for anything but owner, admin or member.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            _ => Err(Invalid::new("errors.role_invalid")),
        }
    }

    /// Owners and admins manage members and invitations.
    #[must_use]
    pub fn manages_members(self) -> bool {
        self >= Role::Admin
    }

    /// Whether this role may export contact details (the leads CSV, a person's data): owners and admins
    /// always, members when the workspace allows it.
    #[must_use]
    pub fn exports_contacts(self, members_allowed: bool) -> bool {
        self.manages_members() || members_allowed
    }

    /// The roles this role may give to someone (in an invitation or a change).
    #[must_use]
    pub fn assignable(self) -> &'static [Role] {
        match self {
            Role::Owner => &[Role::Owner, Role::Admin, Role::Member],
            Role::Admin => &[Role::Admin, Role::Member],
            Role::Member => &[],
        }
    }
}

/// Why a role change or a departure is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipRefusal {
    NotAllowed,
    LastOwner,
}

impl MembershipRefusal {
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            MembershipRefusal::NotAllowed => "errors.role_change_not_allowed",
            MembershipRefusal::LastOwner => "errors.last_owner",
        }
    }
}

/// May `actor` change `target`'s role from `current` to `wanted`, given how many owners the workspace has?
///
/// # Errors
/// `NotAllowed` when the actor's role does not reach that far; `LastOwner` when it would leave no owner.
pub fn check_role_change(
    actor: Role,
    current: Role,
    wanted: Role,
    owners: i64,
) -> Result<(), MembershipRefusal> {
    if !actor.manages_members() || !actor.assignable().contains(&wanted) || current > actor {
        return Err(MembershipRefusal::NotAllowed);
    }
    if current == Role::Owner && wanted != Role::Owner && owners <= 1 {
        return Err(MembershipRefusal::LastOwner);
    }
    Ok(())
}

/// May `actor` remove `target` from the workspace? Removing oneself is leaving, which has its own rule.
///
/// # Errors
/// `NotAllowed` unless the actor manages members, outranks or equals the target, and is someone else.
pub fn check_removal(
    actor: Role,
    target: Role,
    same_person: bool,
) -> Result<(), MembershipRefusal> {
    if actor.manages_members() && target <= actor && !same_person {
        Ok(())
    } else {
        Err(MembershipRefusal::NotAllowed)
    }
}

/// May someone with `role` leave a workspace that has `owners` owners?
///
/// # Errors
/// `LastOwner` when they are its only owner.
pub fn check_leave(role: Role, owners: i64) -> Result<(), MembershipRefusal> {
    if role == Role::Owner && owners <= 1 {
        Err(MembershipRefusal::LastOwner)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MembershipRefusal::{LastOwner, NotAllowed};
    use Role::{Admin, Member, Owner};

    #[test]
    fn the_last_owner_cannot_step_down_or_leave() {
        assert_eq!(check_role_change(Owner, Owner, Admin, 1), Err(LastOwner));
        assert_eq!(check_leave(Owner, 1), Err(LastOwner));
        assert_eq!(check_role_change(Owner, Owner, Admin, 2), Ok(()));
        assert_eq!(check_leave(Owner, 2), Ok(()));
        assert_eq!(check_leave(Member, 1), Ok(()));
    }

    #[test]
    fn admins_manage_members_and_admins_but_not_owners() {
        assert_eq!(check_role_change(Admin, Member, Admin, 1), Ok(()));
        assert_eq!(check_role_change(Admin, Admin, Member, 1), Ok(()));
        assert_eq!(check_role_change(Admin, Member, Owner, 1), Err(NotAllowed));
        assert_eq!(check_role_change(Admin, Owner, Member, 2), Err(NotAllowed));
        assert_eq!(check_removal(Admin, Owner, false), Err(NotAllowed));
        assert_eq!(check_removal(Admin, Member, false), Ok(()));
        assert_eq!(check_removal(Owner, Owner, true), Err(NotAllowed));
    }

    #[test]
    fn members_change_nothing() {
        assert_eq!(check_role_change(Member, Member, Admin, 1), Err(NotAllowed));
        assert_eq!(check_removal(Member, Member, false), Err(NotAllowed));
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("superuser").is_err());
    }
}
