"""Cases (issue 12): playbooks of kind «case» run as graphs of steps over many open cases.

Public API (what the service and the engine call):
- `opening.parse_opening(playbook, text, now=None) -> Opening` (pure; `.key`, `.fields`, `.ok`)
- `opening.open_case(turn, OpenCase)`, `status.my_cases(turn, by)`, `status.send_status(turn, by)`
- `chat.on_say(turn, Say)`, `ask.choose(turn, by, step, task, value)`
- `routing.advance/enter/wait_over/close/next_step`, `due.apply/policy_for`, `values.parse_value/show_value`
"""
