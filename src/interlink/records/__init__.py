"""Records: persons, travel documents, vehicles; notices and diffusions; compliance checks;
FollowTheMoney and CSV interchange."""
