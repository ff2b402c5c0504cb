# Treatment courses, appointments, session notes and home-care sheets arrive with the
# scheduling, notes and home-care issues.
