DROP TABLE login_throttles;
DROP TABLE web_sessions;
