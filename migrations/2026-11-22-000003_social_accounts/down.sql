DROP TABLE account_secrets;
DROP TABLE social_accounts;
