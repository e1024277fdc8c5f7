-- Seed the squad (25 players) held in the legacy database.
-- ON CONFLICT DO NOTHING skips players already present (same id or squad
-- number), so this file cannot fail on a database that already holds them.
INSERT INTO "players" ("id", "firstName", "middleName", "lastName", "dateOfBirth", "squadNumber", "position", "abbrPosition", "team", "league", "starting11") VALUES
  ('5a9cd988-95e6-54c1-bc34-9aa08acca8d0', 'Franco', 'Daniel', 'Armani', '1986-10-16T00:00:00.000Z', 1, 'Goalkeeper', 'GK', 'River Plate', 'Copa de la Liga', false),
  ('5fdb10e8-38c0-5084-9a3f-b369a960b9c2', 'Juan', 'Marcos', 'Foyth', '1998-01-12T00:00:00.000Z', 2, 'Right-Back', 'RB', 'Villareal', 'La Liga', false),
  ('2f6f90a0-9b9d-5023-96d2-a2aaf03143a6', 'Nicolás', 'Alejandro', 'Tagliafico', '1992-08-31T00:00:00.000Z', 3, 'Left-Back', 'LB', 'Olympique Lyon', 'Ligue 1', true),
  ('bbd441f7-fcfb-5834-8468-2a9004b64c8c', 'Gonzalo', 'Ariel', 'Montiel', '1997-01-01T00:00:00.000Z', 4, 'Right-Back', 'RB', 'Nottingham Forrest', 'Premier League', false),
  ('d8bfea25-f189-5d5e-b3a5-ed89329b9f7c', 'Germán', 'Alejo', 'Pezzella', '1991-06-27T00:00:00.000Z', 6, 'Centre-Back', 'CB', 'Real Betis Balompié', 'La Liga', false),
  ('0293b282-1da8-562e-998e-83849b417a42', 'Rodrigo', 'Javier', 'de Paul', '1994-05-24T00:00:00.000Z', 7, 'Central Midfield', 'CM', 'Atlético Madrid', 'La Liga', true),
  ('dca343a8-12e5-53d6-89a8-916b120a5ee4', 'Marcos', 'Javier', 'Acuña', '1991-10-28T00:00:00.000Z', 8, 'Left-Back', 'LB', 'Sevilla FC', 'La Liga', false),
  ('38bae91d-8519-55a2-b30a-b9fe38849bfb', 'Julián', '', 'Álvarez', '2000-01-31T00:00:00.000Z', 9, 'Centre-Forward', 'CF', 'Manchester City', 'Premier League', true),
  ('acc433bf-d505-51fe-831e-45eb44c4d43c', 'Lionel', 'Andrés', 'Messi', '1987-06-24T00:00:00.000Z', 10, 'Right Winger', 'RW', 'Paris Saint-Germain', 'Ligue 1', true),
  ('b5b46e79-929e-5ed2-949d-0d167109c022', 'Ángel', 'Fabián', 'Di María', '1988-02-14T00:00:00.000Z', 11, 'Right Winger', 'RW', 'SL Benfica', 'Liga Portugal', true),
  ('c62f2ac1-41e8-5d34-b073-2ba0913d0e31', 'Gerónimo', '', 'Rulli', '1992-05-20T00:00:00.000Z', 12, 'Goalkeeper', 'GK', 'Ajax Amsterdam', 'Eredivisie', false),
  ('c096c69e-762b-5281-9290-bb9c167a24a0', 'Cristian', 'Gabriel', 'Romero', '1998-04-27T00:00:00.000Z', 13, 'Centre-Back', 'CB', 'Tottenham Hotspur', 'Premier League', true),
  ('d3b0e8e8-2c34-531a-b608-b24fed0ef986', 'Exequiel', 'Alejandro', 'Palacios', '1998-10-05T00:00:00.000Z', 14, 'Central Midfield', 'CM', 'Bayer 04 Leverkusen', 'Bundesliga', false),
  ('b1306b7b-a3a4-5f7c-90fd-dd5bdbed57ba', 'Ángel', 'Martín', 'Correa', '1995-03-09T00:00:00.000Z', 15, 'Right Winger', 'RW', 'Atlético Madrid', 'La Liga', false),
  ('ecec27e8-487b-5622-b116-0855020477ed', 'Thiago', 'Ezequiel', 'Almada', '2001-04-26T00:00:00.000Z', 16, 'Attacking Midfield', 'AM', 'Atlanta United FC', 'Major League Soccer', false),
  ('7cc8d527-56a2-58bd-9528-2618fc139d30', 'Alejandro', 'Darío', 'Gómez', '1988-02-15T00:00:00.000Z', 17, 'Left Winger', 'LW', 'AC Monza', 'Serie A', false),
  ('191c82af-0c51-526a-b903-c3600b61b506', 'Guido', '', 'Rodríguez', '1994-04-12T00:00:00.000Z', 18, 'Defensive Midfield', 'DM', 'Real Betis Balompié', 'La Liga', false),
  ('d5f7dd7a-1dcb-5960-ba27-e34865b63358', 'Nicolás', 'Hernán Gonzalo', 'Otamendi', '1988-02-12T00:00:00.000Z', 19, 'Centre-Back', 'CB', 'SL Benfica', 'Liga Portugal', true),
  ('9613cae9-16ab-5b54-937e-3135123b9e0d', 'Alexis', '', 'Mac Allister', '1998-12-24T00:00:00.000Z', 20, 'Central Midfield', 'CM', 'Brighton & Hove Albion', 'Premier League', true),
  ('7941cd7c-4df1-5952-97e8-1e7f5d08e8aa', 'Paulo', 'Exequiel', 'Dybala', '1993-11-15T00:00:00.000Z', 21, 'Second Striker', 'SS', 'AS Roma', 'Serie A', false),
  ('79c96f29-c59f-5f98-96b8-3a5946246624', 'Lautaro', 'Javier', 'Martínez', '1997-08-22T00:00:00.000Z', 22, 'Centre-Forward', 'CF', 'Inter Milan', 'Serie A', false),
  ('01772c59-43f0-5d85-b913-c78e4e281452', 'Damián', 'Emiliano', 'Martínez', '1992-09-02T00:00:00.000Z', 23, 'Goalkeeper', 'GK', 'Aston Villa FC', 'Premier League', true),
  ('d3ba552a-dac3-588a-b961-1ea7224017fd', 'Enzo', 'Jeremías', 'Fernández', '2001-01-17T00:00:00.000Z', 24, 'Central Midfield', 'CM', 'SL Benfica', 'Liga Portugal', true),
  ('98306555-a466-5d18-804e-dc82175e697b', 'Lisandro', '', 'Martínez', '1998-01-18T00:00:00.000Z', 25, 'Centre-Back', 'CB', 'Manchester United', 'Premier League', false),
  ('da31293b-4c7e-5e0f-a168-469ee29ecbc4', 'Nahuel', '', 'Molina', '1998-04-06T00:00:00.000Z', 26, 'Right-Back', 'RB', 'Atlético Madrid', 'La Liga', true)
ON CONFLICT DO NOTHING;
