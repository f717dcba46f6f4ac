"""The rooms board (issue 13 item 4, docs/ROOMS.md): a facility's rooms, or a hospital's beds by
department, with occupancy counted from the open stays. Shared by the facility pages and the API."""
