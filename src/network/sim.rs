//! One replication of a queueing network on the engine's event queue.
//!
//! Pending events are few: one next arrival per arrival stream, one completion per busy
//! server, session starts and ends, and the period boundaries; waiting customers sit in
//! per-class FIFO queues at their station. Service is non-preemptive; a freed server takes the
//! head of the most urgent non-empty class.
//!
//! Random streams (see `engine::random`): each arrival stream `i` draws from the sequential
//! stream `arrivals/i`; routing and service draws are keyed by (customer serial, visit number)
//! on the streams `routing` and `service`, so a customer's luck does not depend on the order
//! in which other customers are served (common random numbers across scenarios).
//!
//! Statistics: period boundaries are pushed before anything else, so an event at the same
//! minute as a boundary counts in the later period. Waits count in the period in which
//! service starts; sojourns and times in system in the period of the completion or exit;
//! nothing before the warm-up is recorded.

use std::collections::VecDeque;

use ndarray::Array2;
use rand::Rng;
use rand_distr::{Distribution, Gamma, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::metrics::{NetworkTally, StationTally, NETWORK_METRICS, STATION_METRICS};
use super::{Capacity, NetworkScenario, Service, MINUTES_PER_WEEK};
use crate::engine::{EventQueue, KeyedStream, SimDuration, SimTime, StreamKey};

/// One replication's results.
#[derive(Clone, Debug)]
pub struct NetworkReplication {
    pub replication: u32,
    /// Period × metric, columns as [`NetworkScenario::metric_names`].
    pub periods: Array2<f64>,
    /// The same metrics over the whole run after the warm-up.
    pub totals: Vec<f64>,
    /// Each station's waits over the whole run after the warm-up, sorted, in time units (for
    /// tail probabilities); the experiment drops them to save memory.
    pub waits: Vec<Vec<f64>>,
    /// Engine events handled.
    pub events: u64,
    /// Customers who arrived from outside.
    pub customers: u64,
}

#[derive(Clone, Copy, Debug)]
enum Event {
    /// Boundary `k`: the start of period `k` (0 is the end of the warm-up); the last one ends
    /// the run.
    Boundary(usize),
    Arrival(usize),
    Completion {
        station: usize,
        customer: u32,
    },
    SessionStart {
        station: usize,
        session: usize,
    },
    SessionEnd {
        station: usize,
        session: usize,
    },
}

#[derive(Clone, Copy, Debug)]
struct Customer {
    /// Arrival number, the key of the customer's routing and service draws.
    serial: u64,
    class: usize,
    entered: SimTime,
    at_station: SimTime,
    visits: u64,
}

struct StationState {
    /// One FIFO queue per priority class, most urgent first.
    queues: Vec<VecDeque<u32>>,
    waiting: usize,
    busy: u32,
    capacity: u32,
    last_change: SimTime,
    tally: StationTally,
}

impl StationState {
    /// Adds the time since the last change to the time integrals; call before any change.
    fn touch(&mut self, now: SimTime, recording: bool) {
        if recording {
            let dt = (now.minutes() - self.last_change.minutes()) as f64;
            self.tally.area_queue += self.waiting as f64 * dt;
            self.tally.area_busy += f64::from(self.busy) * dt;
            self.tally.area_capacity += f64::from(self.capacity) * dt;
        }
        self.last_change = now;
    }
}

struct Network<'a> {
    scenario: &'a NetworkScenario,
    queue: EventQueue<Event>,
    customers: Vec<Customer>,
    free: Vec<u32>,
    stations: Vec<StationState>,
    arrival_rngs: Vec<Xoshiro256PlusPlus>,
    /// Continuous time (minutes) of each stream's last candidate arrival, so rounding to whole
    /// minutes never accumulates.
    arrival_clock: Vec<f64>,
    routing: KeyedStream,
    service: KeyedStream,
    horizon: SimTime,
    /// The period being recorded; `None` in the warm-up.
    period: Option<usize>,
    network_tally: NetworkTally,
    period_tallies: Vec<(Vec<StationTally>, NetworkTally)>,
    next_serial: u64,
    events: u64,
}

/// Runs replication `replication` (numbered from 1) of `scenario`.
pub fn run_network_replication(scenario: &NetworkScenario, replication: u32) -> NetworkReplication {
    let mut network = Network::new(scenario, replication);
    network.run();
    network.into_result(replication)
}

fn at_minute(minute: f64) -> SimTime {
    SimTime::from_minutes(minute.round() as i64)
}

impl<'a> Network<'a> {
    fn new(scenario: &'a NetworkScenario, replication: u32) -> Self {
        let key = StreamKey::new(scenario.seed, &scenario.name, u64::from(replication));
        let stations = scenario
            .stations
            .iter()
            .map(|s| StationState {
                queues: vec![VecDeque::new(); scenario.classes.len()],
                waiting: 0,
                busy: 0,
                capacity: match s.capacity {
                    Capacity::Servers(c) => c,
                    Capacity::Sessions(_) => 0,
                },
                last_change: SimTime::ZERO,
                tally: StationTally::default(),
            })
            .collect();
        Network {
            scenario,
            queue: EventQueue::new(),
            customers: Vec::new(),
            free: Vec::new(),
            stations,
            arrival_rngs: (0..scenario.arrivals.len())
                .map(|i| key.sequential(&format!("arrivals/{i}")))
                .collect(),
            arrival_clock: vec![0.0; scenario.arrivals.len()],
            routing: key.keyed("routing"),
            service: key.keyed("service"),
            horizon: at_minute(scenario.horizon),
            period: None,
            network_tally: NetworkTally::default(),
            period_tallies: Vec::new(),
            next_serial: 0,
            events: 0,
        }
    }

    fn run(&mut self) {
        // Boundaries first, so they precede other events at the same minute.
        let periods = self.scenario.periods();
        for (k, &(start, _)) in periods.iter().enumerate() {
            self.queue.push(at_minute(start), Event::Boundary(k));
        }
        self.queue
            .push(self.horizon, Event::Boundary(periods.len()));
        for (station, spec) in self.scenario.stations.iter().enumerate() {
            if let Capacity::Sessions(sessions) = &spec.capacity {
                for (session, s) in sessions.iter().enumerate() {
                    self.schedule_session(station, session, SimTime::from_minutes(s.start), s);
                }
            }
        }
        for source in 0..self.scenario.arrivals.len() {
            self.schedule_arrival(source);
        }
        let last = periods.len();
        while let Some((now, event)) = self.queue.pop() {
            self.events += 1;
            match event {
                Event::Boundary(k) => {
                    self.boundary(now, k);
                    if k == last {
                        break;
                    }
                }
                Event::Arrival(source) => self.arrival(now, source),
                Event::Completion { station, customer } => self.completion(now, station, customer),
                Event::SessionStart { station, session } => {
                    self.session_start(now, station, session)
                }
                Event::SessionEnd { station, session } => self.session_end(now, station, session),
            }
        }
    }

    fn schedule_session(
        &mut self,
        station: usize,
        session: usize,
        start: SimTime,
        s: &super::Session,
    ) {
        if start <= self.horizon {
            self.queue
                .push(start, Event::SessionStart { station, session });
            let end = start + SimDuration::minutes(s.end - s.start);
            self.queue.push(end, Event::SessionEnd { station, session });
        }
    }

    /// Draws the stream's next arrival by thinning: candidates at the stream's highest rate,
    /// each kept with probability rate(t) / highest rate (Lewis and Shedler 1979).
    fn schedule_arrival(&mut self, source: usize) {
        let spec = &self.scenario.arrivals[source];
        let max = spec.max_rate();
        if max <= 0.0 {
            return;
        }
        let rng = &mut self.arrival_rngs[source];
        loop {
            let u: f64 = rng.random();
            self.arrival_clock[source] += -(1.0 - u).ln() / max;
            let t = self.arrival_clock[source];
            if t > self.scenario.horizon {
                return;
            }
            let rate = spec.rate_at(t);
            if rate >= max || rng.random::<f64>() * max < rate {
                self.queue.push(at_minute(t), Event::Arrival(source));
                return;
            }
        }
    }

    fn recording(&self) -> bool {
        self.period.is_some()
    }

    fn boundary(&mut self, now: SimTime, k: usize) {
        let recording = self.recording();
        for station in &mut self.stations {
            station.touch(now, recording);
        }
        if recording {
            let stations = self
                .stations
                .iter_mut()
                .map(|s| std::mem::take(&mut s.tally))
                .collect();
            let network = std::mem::take(&mut self.network_tally);
            self.period_tallies.push((stations, network));
        }
        self.period = (k < self.scenario.periods().len()).then_some(k);
    }

    fn arrival(&mut self, now: SimTime, source: usize) {
        let spec = &self.scenario.arrivals[source];
        let (station, class) = (spec.station, spec.class);
        let customer = Customer {
            serial: self.next_serial,
            class,
            entered: now,
            at_station: now,
            visits: 0,
        };
        self.next_serial += 1;
        let id = match self.free.pop() {
            Some(id) => {
                self.customers[id as usize] = customer;
                id
            }
            None => {
                self.customers.push(customer);
                (self.customers.len() - 1) as u32
            }
        };
        if self.recording() {
            self.network_tally.arrivals += 1;
        }
        self.join(now, station, id);
        self.schedule_arrival(source);
    }

    fn join(&mut self, now: SimTime, station: usize, id: u32) {
        let recording = self.recording();
        let class = {
            let c = &mut self.customers[id as usize];
            c.at_station = now;
            c.class
        };
        let s = &mut self.stations[station];
        s.touch(now, recording);
        if recording {
            s.tally.arrivals += 1;
        }
        if s.busy < s.capacity && s.waiting == 0 {
            self.start_service(now, station, id);
        } else {
            s.queues[class].push_back(id);
            s.waiting += 1;
        }
    }

    /// Starts serving `id` at `station` (the caller has touched the station).
    fn start_service(&mut self, now: SimTime, station: usize, id: u32) {
        let recording = self.recording();
        let customer = self.customers[id as usize];
        let s = &mut self.stations[station];
        s.busy += 1;
        if recording {
            s.tally
                .waits
                .push(now.minutes() - customer.at_station.minutes());
        }
        let minutes = self.draw_service(station, &customer);
        self.queue.push(
            now + SimDuration::from_minutes_f64(minutes),
            Event::Completion {
                station,
                customer: id,
            },
        );
    }

    fn draw_service(&self, station: usize, customer: &Customer) -> f64 {
        let mut rng = self.service.rng(customer.serial, customer.visits);
        let minutes = match self.scenario.stations[station].service {
            Service::Exponential { mean } => {
                let u: f64 = rng.random();
                -(1.0 - u).ln() * mean
            }
            Service::Deterministic { value } => value,
            Service::Lognormal { mu, sigma } => LogNormal::new(mu, sigma)
                .map(|d| d.sample(&mut rng))
                .unwrap_or(0.0),
            Service::Gamma { shape, scale } => Gamma::new(shape, scale)
                .map(|d| d.sample(&mut rng))
                .unwrap_or(0.0),
        };
        // The loader keeps parameters finite and positive; this guards the duration type.
        if minutes.is_finite() && minutes >= 0.0 {
            minutes
        } else {
            0.0
        }
    }

    fn completion(&mut self, now: SimTime, station: usize, id: u32) {
        let recording = self.recording();
        let customer = self.customers[id as usize];
        let s = &mut self.stations[station];
        s.touch(now, recording);
        s.busy -= 1;
        if recording {
            s.tally.completions += 1;
            s.tally.sojourn_sum += (now.minutes() - customer.at_station.minutes()) as f64;
            s.tally.sojourn_count += 1;
        }
        self.fill_servers(now, station);

        // Route the departing customer: the first station whose cumulative probability passes
        // the draw, else out of the network.
        let u = self.routing.uniform(customer.serial, customer.visits);
        self.customers[id as usize].visits += 1;
        let mut cumulative = 0.0;
        let next = self.scenario.stations[station]
            .routing
            .iter()
            .find(|&&(_, p)| {
                cumulative += p;
                u < cumulative
            })
            .map(|&(next, _)| next);
        match next {
            Some(next) => self.join(now, next, id),
            None => {
                if recording {
                    self.network_tally.exits += 1;
                    if customer.entered.minutes() >= self.scenario.warm_up.round() as i64 {
                        self.network_tally.time_in_system_sum +=
                            (now.minutes() - customer.entered.minutes()) as f64;
                        self.network_tally.time_in_system_count += 1;
                    }
                }
                self.free.push(id);
            }
        }
    }

    /// Starts waiting customers, most urgent class first, while servers are free.
    fn fill_servers(&mut self, now: SimTime, station: usize) {
        loop {
            let s = &mut self.stations[station];
            if s.busy >= s.capacity || s.waiting == 0 {
                return;
            }
            let Some(id) = s.queues.iter_mut().find_map(|q| q.pop_front()) else {
                return;
            };
            s.waiting -= 1;
            self.start_service(now, station, id);
        }
    }

    fn session_start(&mut self, now: SimTime, station: usize, session: usize) {
        let recording = self.recording();
        let servers = self.session(station, session).servers;
        let s = &mut self.stations[station];
        s.touch(now, recording);
        s.capacity += servers;
        self.fill_servers(now, station);
    }

    fn session_end(&mut self, now: SimTime, station: usize, session: usize) {
        let recording = self.recording();
        let spec = self.session(station, session);
        let s = &mut self.stations[station];
        s.touch(now, recording);
        // Busy servers finish their customers; only new starts stop.
        s.capacity = s.capacity.saturating_sub(spec.servers);
        let next_start = now - SimDuration::minutes(spec.end - spec.start)
            + SimDuration::minutes(MINUTES_PER_WEEK);
        self.schedule_session(station, session, next_start, &spec);
    }

    fn session(&self, station: usize, session: usize) -> super::Session {
        match &self.scenario.stations[station].capacity {
            Capacity::Sessions(sessions) => sessions[session],
            Capacity::Servers(_) => unreachable!("session event at a station without sessions"),
        }
    }

    fn into_result(self, replication: u32) -> NetworkReplication {
        let scenario = self.scenario;
        let unit = scenario.time_unit.minutes();
        let periods = scenario.periods();
        let columns = scenario.stations.len() * STATION_METRICS.len() + NETWORK_METRICS.len();
        let mut table = Array2::from_elem((periods.len(), columns), f64::NAN);
        let mut totals_stations = vec![StationTally::default(); scenario.stations.len()];
        let mut totals_network = NetworkTally::default();
        for (p, ((start, end), (mut stations, network))) in
            periods.iter().zip(self.period_tallies).enumerate()
        {
            let mut row = Vec::with_capacity(columns);
            for (s, tally) in stations.iter_mut().enumerate() {
                totals_stations[s].merge(tally);
                row.extend(tally.values(end - start, unit));
            }
            totals_network.merge(&network);
            row.extend(network.values(unit));
            for (k, v) in row.into_iter().enumerate() {
                table[[p, k]] = v;
            }
        }
        let length = scenario.horizon - scenario.warm_up;
        let mut totals = Vec::with_capacity(columns);
        for tally in &mut totals_stations {
            totals.extend(tally.values(length, unit));
        }
        totals.extend(totals_network.values(unit));
        let waits = totals_stations
            .into_iter()
            .map(|t| t.waits.into_iter().map(|w| w as f64 / unit).collect())
            .collect();
        NetworkReplication {
            replication,
            periods: table,
            totals,
            waits,
            events: self.events,
            customers: self.next_serial,
        }
    }
}
