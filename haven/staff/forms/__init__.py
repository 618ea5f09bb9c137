"""Staff forms, one module per area of the staff views (haven/staff/views/). Import from the module."""
