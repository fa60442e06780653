"""The Playbooks page's sections: the rules and their versions, a run previewed and recorded, the recorded runs'
queues, and the outreach calendar."""
